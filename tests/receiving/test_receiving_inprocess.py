"""The receiver in this process (pytest-django), to break storage from inside and to read
back exactly what was stored: all or nothing across channels, 451 for our faults, bytes kept.
"""

import hashlib
import threading

import pytest
from django.db import OperationalError, connection
from mr_wire import Wire, assert_clean

from conftest import free_port
from mailroom.core.models import InboundMail
from mailroom.core.setup import add_channel, add_tenant
from mailroom.receiving import handler as handler_module
from mailroom.receiving import store
from mailroom.receiving.server import ReceiverController

pytestmark = pytest.mark.django_db(transaction=True)

ONE = "acme-contact@in.mailroom.localhost"
TWO = "acme-sales@in.mailroom.localhost"
RAW = (
    b"From: Alice <alice@customer.example>\r\n"
    b"To: contact@acme.example\r\n"
    b"Subject: Printer on fire\r\n"
    b"\r\n"
    b"Hello.\r\n"
)


@pytest.fixture
def acme():
    add_tenant("acme")
    return add_channel("acme", "contact@acme.example", ONE), add_channel(
        "acme", "sales@acme.example", TWO
    )


def _close_pool_connections(transit_handler) -> None:
    """Close the database connection of every pool thread (a PostgreSQL test database
    cannot be dropped while they stay open)."""
    pool = transit_handler._executor
    workers = pool._max_workers
    barrier = threading.Barrier(workers)

    def close() -> None:
        barrier.wait(timeout=10)  # one task per thread: each holds its thread until all came
        connection.close()

    for future in [pool.submit(close) for _ in range(workers)]:
        future.result(timeout=20)


@pytest.fixture
def receiver(acme):
    """start(lmtp=False, max_bytes=...) -> port of a ReceiverController run by this test."""
    started: list[ReceiverController] = []

    def start(lmtp: bool = False, max_bytes: int = 100_000) -> int:
        controller = ReceiverController("127.0.0.1", free_port(), lmtp=lmtp, max_bytes=max_bytes)
        controller.start()
        started.append(controller)
        return controller.port

    yield start
    for controller in started:
        _close_pool_connections(controller.handler)
        controller.stop()


def deliver(wire: Wire, rcpts: list[str], raw: bytes = RAW, mail_from: str = "alice@x.example",
            lmtp: bool = False) -> list[str]:
    greeting = wire.command("LHLO mta.example" if lmtp else "EHLO mta.example")
    assert greeting.startswith("250")
    assert wire.command(f"MAIL FROM:<{mail_from}>").startswith("250")
    for rcpt in rcpts:
        assert wire.command(f"RCPT TO:<{rcpt}>").startswith("250")
    return wire.data(raw, replies=len(rcpts) if lmtp else 1)


def rows(address: str) -> list[InboundMail]:
    return list(InboundMail.objects.filter(channel__inbound_address=address))


def fail_on_second_row(monkeypatch) -> None:
    real, calls = store._new_row, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OperationalError("disk I/O error in the second row")
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "_new_row", flaky)


def test_failure_on_second_channel_gets_451_and_stores_nothing_then_retry_gets_250(
    receiver, monkeypatch
):
    port = receiver()
    fail_on_second_row(monkeypatch)
    with Wire(port) as wire:
        [reply] = deliver(wire, [ONE, TWO])
    assert reply.startswith("451 4.3.0"), reply
    assert_clean(reply)
    assert "disk I/O" not in reply
    assert rows(ONE) == [] and rows(TWO) == []  # nothing half-written

    monkeypatch.undo()
    with Wire(port) as wire:  # the sender's retry, same mail
        [reply] = deliver(wire, [ONE, TWO])
    assert reply.startswith("250 2.0.0"), reply
    [one], [two] = rows(ONE), rows(TWO)
    assert bytes(one.raw) == bytes(two.raw) == RAW


def test_lmtp_failure_on_second_channel_gets_451_per_recipient(receiver, monkeypatch):
    port = receiver(lmtp=True)
    fail_on_second_row(monkeypatch)
    with Wire(port) as wire:
        replies = deliver(wire, [ONE, TWO], lmtp=True)
    assert [r[:9] for r in replies] == ["451 4.3.0", "451 4.3.0"], replies
    assert InboundMail.objects.count() == 0


def test_recipient_lookup_failure_gets_451(receiver, monkeypatch):
    port = receiver()

    def broken(address):
        raise OperationalError("database is locked")

    monkeypatch.setattr(handler_module, "find_channel", broken)
    with Wire(port) as wire:
        wire.command("EHLO mta.example")
        wire.command("MAIL FROM:<alice@x.example>")
        reply = wire.command(f"RCPT TO:<{ONE}>")
        assert reply.startswith("451 4.3.0"), reply
        assert_clean(reply)
        assert "locked" not in reply
        monkeypatch.undo()
        assert wire.command(f"RCPT TO:<{ONE}>").startswith("250")
        assert wire.data(RAW)[0].startswith("250")
    assert len(rows(ONE)) == 1


def test_unexpected_exception_gets_451_without_its_text(receiver, monkeypatch):
    port = receiver()

    def boom(address):
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr(handler_module, "normalise", boom)  # outside the handler's own try
    with Wire(port) as wire:
        wire.command("EHLO mta.example")
        wire.command("MAIL FROM:<alice@x.example>")
        reply = wire.command(f"RCPT TO:<{ONE}>")
        assert reply.startswith("451 4.3.0"), reply
        assert_clean(reply)
        assert "secret" not in reply
        monkeypatch.undo()
        assert wire.command(f"RCPT TO:<{ONE}>").startswith("250")
        assert wire.data(RAW)[0].startswith("250")


def test_stored_bytes_are_exactly_the_bytes_sent(receiver):
    raw = (
        b"From: =?utf-8?q?Andr=C3=A9?= <andre@customer.example>\r\n"
        b"Subject: caf\xc3\xa9 and 8-bit latin-1 \xe9\r\n"
        b"\r\n"
        b".a line starting with a dot (dot-stuffed on the wire)\r\n"
        b"..two dots\r\n"
        b"a bare LF\nin the middle\r\n"
        b"trailing spaces   \r\n"
        b"\r\n"
    )
    port = receiver()
    with Wire(port) as wire:
        [reply] = deliver(wire, [ONE], raw=raw, mail_from="andre@customer.example")
    assert reply.startswith("250")
    [row] = rows(ONE)
    assert bytes(row.raw) == raw
    assert row.size == len(raw)
    assert row.sha256 == hashlib.sha256(raw).hexdigest()
    assert (row.mail_from, row.rcpt_to, row.source, row.state) == (
        "andre@customer.example", ONE, "smtp", "received"
    )
    assert row.peer.startswith("127.0.0.1:")
    assert row.received_at is not None


def test_smuggled_commands_stay_inside_the_one_mail(receiver):
    smuggled = (
        b"MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<" + TWO.encode() + b">\r\nDATA\r\n"
        b"Subject: smuggled\r\n\r\nPay now.\r\n"
    )
    raw = RAW + b"Regards\n.\r\n" + smuggled
    port = receiver()
    with Wire(port) as wire:
        wire.command("EHLO mta.example")
        wire.command("MAIL FROM:<alice@x.example>")
        wire.command(f"RCPT TO:<{ONE}>")
        wire.command("DATA")
        wire.send(raw + b".\r\n")
        assert wire.replies(1)[0].startswith("250")
        assert wire.command("QUIT").startswith("221")
    [row] = InboundMail.objects.all()
    assert row.rcpt_to == ONE
    assert bytes(row.raw) == raw
    assert b"MAIL FROM:<evil@attacker.example>" in bytes(row.raw)


def test_null_sender_is_stored_with_an_empty_sender(receiver):
    port = receiver()
    with Wire(port) as wire:
        wire.command("EHLO mailer-daemon.example")
        assert wire.command("MAIL FROM:<>").startswith("250")
        wire.command(f"RCPT TO:<{ONE}>")
        assert wire.data(RAW)[0].startswith("250")
    [row] = rows(ONE)
    assert row.mail_from == ""


def test_lmtp_mail_is_stored_once_per_channel_and_marked_lmtp(receiver):
    port = receiver(lmtp=True)
    with Wire(port) as wire:
        replies = deliver(wire, [ONE, TWO], lmtp=True)
    assert [r[:3] for r in replies] == ["250", "250"]
    assert sorted(r.rcpt_to for r in InboundMail.objects.all()) == sorted([ONE, TWO])
    assert {r.source for r in InboundMail.objects.all()} == {"lmtp"}


def test_over_size_limit_stores_nothing(receiver):
    port = receiver(max_bytes=1_000)
    with Wire(port) as wire:
        [reply] = deliver(wire, [ONE], raw=RAW + b"x" * 998 + b"\r\n")
    assert reply.startswith("552 5.3.4"), reply
    assert InboundMail.objects.count() == 0

