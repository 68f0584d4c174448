"""Helpers of the receiving tests: a raw SMTP/LMTP client, test mails, what the CLI shows.

A raw socket (not smtplib) where the exact sequence of replies matters: pipelining, LMTP's
one reply per recipient, and checking that no reply carries a 500 or an exception's text.
"""

import contextlib
import json
import re
import socket

from conftest import Mailroom, Server

# An exception's class name on the wire ("OperationalError", "RuntimeError"...); aiosmtpd's
# own "500 Error: ..." texts do not match (nothing before "Error").
EXCEPTION_NAME = re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b")


class Wire:
    """One SMTP or LMTP connection on loopback, reading replies exactly as sent."""

    def __init__(self, port: int, timeout: float = 15):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.seen: list[str] = []
        self.greeting = self.replies(1)[0]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def replies(self, count: int) -> list[str]:
        """The next `count` replies; a multi-line reply comes back as one "\\n"-joined string."""
        out: list[str] = []
        lines: list[str] = []
        while len(out) < count:
            while b"\r\n" not in self.buffer:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise AssertionError(f"connection closed; replies so far: {out + lines}")
                self.buffer += chunk
            line, self.buffer = self.buffer.split(b"\r\n", 1)
            lines.append(line.decode("utf-8", "replace"))
            if line[3:4] != b"-":  # "250-..." goes on, "250 ..." ends the reply
                out.append("\n".join(lines))
                lines = []
        self.seen.extend(out)
        return out

    def command(self, line: str | bytes) -> str:
        """Send one command line, return its (single) reply."""
        data = line if isinstance(line, bytes) else line.encode()
        self.send(data + b"\r\n")
        return self.replies(1)[0]

    def data(self, raw: bytes, replies: int = 1) -> list[str]:
        """DATA then the mail (dot-stuffed, CRLF-terminated); return the final replies."""
        reply = self.command("DATA")
        assert reply.startswith("354"), reply
        self.send(dot_stuff(raw) + b".\r\n")
        return self.replies(replies)


def dot_stuff(raw: bytes) -> bytes:
    """RFC 5321 4.5.2 transparency, and a final CRLF so that "." stands on its own line."""
    if not raw.endswith(b"\r\n"):
        raw += b"\r\n"
    lines = raw.split(b"\r\n")
    return b"\r\n".join(b"." + line if line.startswith(b".") else line for line in lines)


def message(subject: str = "Printer on fire", body: str = "Hello, my printer is on fire.",
            size: int | None = None) -> bytes:
    """A small mail with CRLF line ends; with `size`, padded to exactly that many bytes."""
    head = (
        "From: Alice <alice@customer.example>\r\n"
        "To: contact@demo.example\r\n"
        f"Subject: {subject}\r\n"
        "Message-ID: <t-1@customer.example>\r\n"
        "\r\n"
        f"{body}\r\n"
    ).encode()
    if size is None:
        return head
    pad = size - len(head)
    assert pad >= 0, f"{size} bytes is less than the headers alone"
    if pad == 1:  # no line is one byte long: widen the body line instead
        head, pad = head[:-2] + b"!\r\n", 0
    full, rest = divmod(pad, 78)
    if rest == 1:  # no line is one byte long: make the last full line one byte shorter
        full, rest = full - 1, 79
    lines = [b"x" * 76 + b"\r\n"] * full
    if rest > 78:
        lines += [b"x" * 75 + b"\r\n", b"\r\n"]
    elif rest:
        lines.append(b"x" * (rest - 2) + b"\r\n")
    return head + b"".join(lines)


def assert_clean(reply: str) -> None:
    """A reply that says nothing of our insides: no 500, no traceback, no exception name."""
    assert not reply.startswith("500"), reply
    assert "Traceback" not in reply, reply
    assert not EXCEPTION_NAME.search(reply), reply


def channels(mr) -> dict[str, dict]:
    """`mailroom channels --json`, keyed by inbound address."""
    return {row["inbound_address"]: row for row in json.loads(mr.ok("channels", "--json"))}


def stored(mr, inbound: str) -> int:
    """How many transit entries a channel has, whatever their state (a worker may move them)."""
    return sum(channels(mr)[inbound]["counts"].values())


def add_channel(mr, public: str, inbound: str, tenant: str = "acme") -> None:
    if tenant not in mr.ok("tenant", "list").split():
        mr.ok("tenant", "add", tenant)
    out = mr.ok("channel", "add", tenant, public, "--inbound", inbound)
    assert inbound in out


@contextlib.contextmanager
def running(tmp_path_factory, **env: str):
    """A Mailroom of its own and its `mailroom run`, for a whole test module: (mr, server).

    Tests sharing one compare counts before and after, not with zero.
    """
    mr = Mailroom(tmp_path_factory.mktemp("mailroom") / "home")
    mr.home.mkdir()
    mr.env.update(env)
    try:
        mr.ok("init")
        yield mr, Server(mr)
    finally:
        mr.stop_all()
