"""A real HTTP server (waitress) for the Django application, run in a thread."""

import threading

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application
from waitress.server import create_server


class WebServer:
    """Serves the web pages (and the admin's static files) until stop() is called."""

    def __init__(self, host: str, port: int):
        app = StaticFilesHandler(get_wsgi_application())
        self._server = create_server(app, host=host, port=port, threads=4, ident="mailroom")
        self.port = self._server.effective_port
        self._thread = threading.Thread(target=self._server.run, name="web", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)
