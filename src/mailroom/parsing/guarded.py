"""parse_mail under a wall-clock limit, in one reusable child process.

The stdlib parser has inputs that take minutes (docs/BAD_INPUT.md); a thread cannot be stopped,
a process can. The child is started lazily with the "spawn" method (safe in a process that
already runs threads and database connections), kept for the next mail, and killed and replaced
when a mail exceeds `limits.timeout_s` (TooComplex) or kills it (Unparseable). Calls from several
threads are served one at a time.

Failing to start the child is an infrastructure fault, not the mail's: it raises RuntimeError so
that the caller retries later instead of recording an error against the mail.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterable, Iterator
from multiprocessing.connection import Connection

from mailroom.parsing.errors import ParseError, TooComplex, Unparseable
from mailroom.parsing.model import ParsedMail, ParseLimits
from mailroom.parsing.parser import parse_mail

START_TIMEOUT_S = 60.0
_CONTEXT = multiprocessing.get_context("spawn")


class _Child:
    """One parser process and our end of its pipe."""

    def __init__(self) -> None:
        ours, theirs = _CONTEXT.Pipe(duplex=True)
        self.process = _CONTEXT.Process(
            target=_serve, args=(theirs,), name="mailroom-parser", daemon=True
        )
        self.process.start()
        theirs.close()
        self.conn = ours
        if not ours.poll(START_TIMEOUT_S) or ours.recv() != "ready":
            self.stop()
            raise RuntimeError("The mail parser process did not start.")

    def stop(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()


_lock = threading.Lock()
_child: _Child | None = None


def _forget_parents_child() -> None:
    # In a fork of this process the child and its pipe belong to the parent, and the lock
    # may have been held by a thread that does not exist here.
    global _child, _lock
    _child = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_parents_child)


def parse_mail_guarded(raw: bytes, limits: ParseLimits = ParseLimits()) -> ParsedMail:  # noqa: B008
    with _lock:
        _send(raw, limits)
        result = _receive(_current_child(), limits)
    if isinstance(result, ParseError):
        raise result
    return result


def parse_many(
    raws: Iterable[bytes],
    limits: ParseLimits = ParseLimits(),  # noqa: B008
) -> Iterator[ParsedMail | ParseError]:
    """Parse mails in order, one result (a ParsedMail or a ParseError) per mail.

    While the caller works on one result, the child already parses the next mail: with
    two cores, parsing costs the caller little more than the copying. The next mail is
    sent only once the current result is read, when the child waits for it, so neither
    side ever blocks writing to the other. (A helper thread to send was slower: it waits
    for the GIL while the caller works.)
    """
    with _lock:
        pending = iter(raws)
        raw = next(pending, None)
        if raw is None:
            return
        _send(raw, limits)
        try:
            while raw is not None:
                result = _receive(_current_child(), limits)
                raw = next(pending, None)
                if raw is not None:
                    _send(raw, limits)
                yield result
        finally:
            if raw is not None:
                # Stopped early with a mail in the child: its result must never be taken
                # for the next caller's mail, so that child goes.
                _replace_child()


def _send(raw: bytes, limits: ParseLimits) -> None:
    try:
        _current_child().conn.send((raw, limits))
    except OSError:  # the child died between two mails: a fresh one takes this mail
        _replace_child()
        _current_child().conn.send((raw, limits))


def _receive(child: _Child, limits: ParseLimits) -> ParsedMail | ParseError:
    """The result of the mail the child is on; a timeout or a crash is that mail's error."""
    try:
        if not child.conn.poll(limits.timeout_s):
            _replace_child()
            return TooComplex(f"Parsing the message took longer than {limits.timeout_s:g} s.")
        _status, value = child.conn.recv()
    except (EOFError, OSError) as exc:
        _replace_child()
        return Unparseable(
            f"The parser process died while reading the message ({type(exc).__name__})."
        )
    return value


def _current_child() -> _Child:
    global _child
    if _child is None or not _child.process.is_alive():
        if _child is not None:
            _child.stop()
        _child = _Child()
    return _child


def _replace_child() -> None:
    global _child
    if _child is not None:
        _child.stop()
        _child = None


def _serve(conn: Connection) -> None:
    """Child process loop: one mail in, one ("ok", ParsedMail) or ("error", ParseError) out."""
    # Ctrl-C in a terminal reaches the whole process group: the parent decides, we go with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn.send("ready")
    while True:
        try:
            raw, limits = conn.recv()
        except (EOFError, OSError):
            return  # the parent went away
        try:
            reply: tuple[str, ParsedMail | ParseError] = ("ok", parse_mail(raw, limits))
        except ParseError as exc:
            reply = ("error", exc)
        except Exception as exc:  # MemoryError and RecursionError included: this mail is the cause
            name = type(exc).__name__
            reply = ("error", Unparseable(f"The parser failed on this message ({name})."))
        conn.send(reply)
