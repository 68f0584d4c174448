"""Faults of ours get 451 4.3.0 (never 500, never our insides on the wire), and a 250 is
only said once the mail is committed: SIGKILL right after it loses nothing.

The database is broken from outside while the receiver runs (a table renamed away), on
whichever backend the run uses; `mailroom smtp` runs the receiver alone.
"""

import signal
import sqlite3

import pytest
from mr_wire import Wire, add_channel, assert_clean, channels, message, stored

from conftest import DEMO_INBOUND, Mailroom, Server, free_port

INBOUND = "acme-contact@in.mailroom.localhost"
OTHER_INBOUND = "acme-sales@in.mailroom.localhost"


def sql(mr, statement: str) -> None:
    """Run one statement on the Mailroom's database, behind the receiver's back."""
    url = mr.env.get("MAILROOM_DATABASE_URL")
    if url:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement)
    else:
        conn = sqlite3.connect(mr.home / "mailroom.sqlite3", timeout=30, isolation_level=None)
        try:
            conn.execute(statement)
        finally:
            conn.close()


def table_away(mr, table: str):
    sql(mr, f"ALTER TABLE {table} RENAME TO {table}_away")


def table_back(mr, table: str):
    sql(mr, f"ALTER TABLE {table}_away RENAME TO {table}")


@pytest.fixture(scope="module")
def receivers(tmp_path_factory):
    """`mailroom smtp` and `mailroom smtp --lmtp` alone, for two channels of tenant acme;
    shared by the module's fault tests (each puts the tables back)."""
    mr = Mailroom(tmp_path_factory.mktemp("mailroom") / "home")
    mr.home.mkdir()
    try:
        mr.ok("init")
        add_channel(mr, "contact@acme.example", INBOUND)
        add_channel(mr, "sales@acme.example", OTHER_INBOUND)
        mr.ports = {"smtp": free_port(), "lmtp": free_port()}
        mr.start("smtp", "--listen", f"127.0.0.1:{mr.ports['smtp']}", ready="ready")
        mr.start("smtp", "--lmtp", "--listen", f"127.0.0.1:{mr.ports['lmtp']}", ready="ready")
        yield mr
    finally:
        mr.stop_all()


def greet(wire: Wire, lmtp: bool = False) -> None:
    assert wire.command("LHLO mta.example" if lmtp else "EHLO mta.example").startswith("250")


def counts(mr) -> tuple[int, int]:
    return stored(mr, INBOUND), stored(mr, OTHER_INBOUND)


def test_database_fault_while_storing_gets_451_then_the_retry_gets_250(receivers):
    mr = receivers
    one, two = counts(mr)
    table_away(mr, "core_inboundmail")
    try:
        with Wire(mr.ports["smtp"]) as wire:
            greet(wire)
            wire.command("MAIL FROM:<alice@customer.example>")
            assert wire.command(f"RCPT TO:<{INBOUND}>").startswith("250")
            assert wire.command(f"RCPT TO:<{OTHER_INBOUND}>").startswith("250")
            [reply] = wire.data(message())
            assert reply.startswith("451 4.3.0"), reply
            assert_clean(reply)
    finally:
        table_back(mr, "core_inboundmail")
    assert counts(mr) == (one, two)

    with Wire(mr.ports["smtp"]) as wire:  # the sender's retry
        greet(wire)
        wire.command("MAIL FROM:<alice@customer.example>")
        wire.command(f"RCPT TO:<{INBOUND}>")
        wire.command(f"RCPT TO:<{OTHER_INBOUND}>")
        assert wire.data(message())[0].startswith("250 2.0.0")
    assert counts(mr) == (one + 1, two + 1)


def test_database_fault_at_rcpt_gets_451_not_550(receivers):
    mr = receivers
    one, two = counts(mr)
    with Wire(mr.ports["smtp"]) as wire:
        greet(wire)
        wire.command("MAIL FROM:<alice@customer.example>")
        table_away(mr, "core_channel")
        try:
            reply = wire.command(f"RCPT TO:<{INBOUND}>")
            assert reply.startswith("451 4.3.0"), reply
            assert_clean(reply)
        finally:
            table_back(mr, "core_channel")
        assert wire.command(f"RCPT TO:<{INBOUND}>").startswith("250")
        assert wire.data(message())[0].startswith("250")
    assert counts(mr) == (one + 1, two)


def test_lmtp_database_fault_gets_451_per_recipient(receivers):
    mr = receivers
    before = counts(mr)
    table_away(mr, "core_inboundmail")
    try:
        with Wire(mr.ports["lmtp"]) as wire:
            greet(wire, lmtp=True)
            wire.command("MAIL FROM:<alice@customer.example>")
            wire.command(f"RCPT TO:<{INBOUND}>")
            wire.command(f"RCPT TO:<{OTHER_INBOUND}>")
            replies = wire.data(message(), replies=2)
            assert [r[:9] for r in replies] == ["451 4.3.0", "451 4.3.0"], replies
            for reply in replies:
                assert_clean(reply)
            assert wire.command("QUIT").startswith("221")
    finally:
        table_back(mr, "core_inboundmail")
    assert counts(mr) == before


def test_no_reply_of_a_faulty_session_starts_with_500_or_shows_an_exception(receivers):
    """Everything a sender could do while the database is gone: only 4xx, and clean."""
    mr = receivers
    table_away(mr, "core_inboundmail")
    table_away(mr, "core_channel")
    try:
        for port, lmtp in ((mr.ports["smtp"], False), (mr.ports["lmtp"], True)):
            with Wire(port) as wire:
                greet(wire, lmtp)
                wire.command("MAIL FROM:<>")
                wire.command(f"RCPT TO:<{INBOUND}>")
                wire.command("RCPT TO:<nobody@in.mailroom.localhost>")
                wire.command("DATA")
                wire.command("RSET")
                wire.command("QUIT")
                faults = [r for r in wire.seen if r[:1] in "45"]
                assert faults and all(r.startswith(("451 4.3.0", "503")) for r in faults), faults
                for reply in wire.seen:
                    assert_clean(reply)
    finally:
        table_back(mr, "core_channel")
        table_back(mr, "core_inboundmail")


def test_mail_acknowledged_with_250_survives_sigkill(server, mailroom):
    sent = 0
    with Wire(server.smtp_port) as smtp, Wire(server.lmtp_port) as lmtp:
        greet(smtp)
        greet(lmtp, lmtp=True)
        for n in range(3):
            smtp.command("MAIL FROM:<alice@customer.example>")
            smtp.command(f"RCPT TO:<{DEMO_INBOUND}>")
            assert smtp.data(message(subject=f"mail {n}"))[0].startswith("250 2.0.0")
            sent += 1
        lmtp.command("MAIL FROM:<alice@customer.example>")
        lmtp.command(f"RCPT TO:<{DEMO_INBOUND}>")
        assert lmtp.data(message(subject="by LMTP"))[0].startswith("250 2.0.0")
        sent += 1
        server.process.send_signal(signal.SIGKILL)  # at once, before even QUIT
    assert server.process.wait(timeout=10) == -signal.SIGKILL

    again = Server(mailroom)  # same data folder, same database
    row = channels(mailroom)[DEMO_INBOUND]
    assert sum(row["counts"].values()) == sent
    assert row["last_received_at"] is not None
    with Wire(again.smtp_port) as wire:  # and it goes on receiving
        greet(wire)
        wire.command("MAIL FROM:<alice@customer.example>")
        wire.command(f"RCPT TO:<{DEMO_INBOUND}>")
        assert wire.data(message())[0].startswith("250")
    assert stored(mailroom, DEMO_INBOUND) == sent + 1
