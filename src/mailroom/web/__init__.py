"""The web side: URLs, the WSGI application and the HTTP server run by `mailroom run`."""
