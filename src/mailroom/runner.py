"""Running the long-lived parts of Mailroom in one process, and stopping them cleanly.

`mailroom run` starts every part; `mailroom smtp` starts a receiver alone. SIGTERM and
SIGINT stop the receivers first (no new mail is accepted), then the other parts; a mail
being stored when the signal comes is committed before its connection closes, and one
whose 250 was never sent is retried by its sender.
"""

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass

from mailroom.core.errors import MailroomError

log = logging.getLogger(__name__)


@dataclass
class Part:
    """One part of the process: a name for messages, and how to start and stop it."""

    name: str
    start: Callable[[], None]
    stop: Callable[[], None]


def run_until_signalled(parts: list[Part], on_ready: Callable[[], None] = lambda: None) -> None:
    """Start the parts in order, wait for SIGTERM/SIGINT, stop them in the same order."""
    stopping = threading.Event()
    signals = (signal.SIGTERM, signal.SIGINT)
    previous = {s: signal.signal(s, lambda *_: stopping.set()) for s in signals}
    started: list[Part] = []
    try:
        for part in parts:
            _start(part)
            started.append(part)
        on_ready()
        stopping.wait()
        log.info("stopping")
    finally:
        for part in started:
            part.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _start(part: Part) -> None:
    try:
        part.start()
    except OSError as exc:
        raise MailroomError(f"cannot start {part.name}: {exc.strerror or exc}") from None
