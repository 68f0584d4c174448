"""The SMTP conversation itself: pipelining (RFC 2920) and end-of-data smuggling."""

import pytest
from mr_wire import Wire, message, running, stored

from conftest import DEMO_INBOUND

UNKNOWN = "nobody@elsewhere.example"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(mr, server): one `mailroom run` shared by the module's tests."""
    with running(tmp_path_factory) as live:
        yield live


def codes(replies: list[str]) -> list[str]:
    return [reply[:3] for reply in replies]


def test_ehlo_announces_pipelining(live):
    with Wire(live[1].smtp_port) as wire:
        ehlo = wire.command("EHLO sender.example")
    assert "250-PIPELINING" in ehlo.upper() or "250 PIPELINING" in ehlo.upper(), ehlo


def test_pipelined_commands_get_their_replies_in_order(live):
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    with Wire(server.smtp_port) as wire:
        assert wire.command("EHLO sender.example").startswith("250")
        # MAIL, RCPT, RCPT(unknown), DATA in one write: DATA may end a group (RFC 2920 3.1).
        wire.send(
            b"MAIL FROM:<alice@customer.example>\r\n"
            + f"RCPT TO:<{DEMO_INBOUND}>\r\n".encode()
            + f"RCPT TO:<{UNKNOWN}>\r\n".encode()
            + b"DATA\r\n"
        )
        replies = wire.replies(4)
        assert codes(replies) == ["250", "250", "550", "354"], replies
        assert replies[1].startswith("250 2.1.5")
        assert replies[2].startswith(f"550 5.1.1 <{UNKNOWN}>")

        # The mail's content may start the next group: content, MAIL, RCPT, DATA.
        wire.send(
            message(subject="first") + b".\r\n"
            + b"MAIL FROM:<bob@customer.example>\r\n"
            + f"RCPT TO:<{DEMO_INBOUND}>\r\n".encode()
            + b"DATA\r\n"
        )
        replies = wire.replies(4)
        assert codes(replies) == ["250", "250", "250", "354"], replies
        assert replies[0].startswith("250 2.0.0")

        wire.send(message(subject="second") + b".\r\nQUIT\r\n")
        replies = wire.replies(2)
        assert codes(replies) == ["250", "221"], replies
    assert stored(mr, DEMO_INBOUND) == before + 2


def test_pipelined_rset_drops_the_transaction(live):
    with Wire(live[1].smtp_port) as wire:
        wire.command("EHLO sender.example")
        wire.send(
            b"MAIL FROM:<alice@customer.example>\r\n"
            + f"RCPT TO:<{DEMO_INBOUND}>\r\n".encode()
            + b"RSET\r\nDATA\r\n"
        )
        assert codes(wire.replies(4)) == ["250", "250", "250", "503"]


SMUGGLED = (
    b"MAIL FROM:<evil@attacker.example>\r\n"
    + f"RCPT TO:<{DEMO_INBOUND}>\r\n".encode()
    + b"DATA\r\n"
    + b"From: ceo@demo.example\r\nSubject: smuggled\r\n\r\nPay now.\r\n"
)


@pytest.mark.parametrize(
    "fake_end",
    [b"\n.\r\n", b"\n.\n", b"\r.\r\n", b"\r\n.\n", b"\r\n.\r", b"\r\n.\x00\r\n"],
    ids=["LF.CRLF", "LF.LF", "CR.CRLF", "CRLF.LF", "CRLF.CR", "CRLF.NUL"],
)
def test_fake_end_of_data_does_not_smuggle_a_second_mail(live, fake_end):
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    raw = message(subject="innocent") + b"Regards" + fake_end + SMUGGLED
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO sender.example")
        wire.command("MAIL FROM:<alice@customer.example>")
        wire.command(f"RCPT TO:<{DEMO_INBOUND}>")
        assert wire.command("DATA").startswith("354")
        wire.send(raw + b".\r\n")  # sent as is: no dot-stuffing, as an attacker would
        [reply] = wire.replies(1)
        assert reply.startswith("250 2.0.0"), reply
        # The next reply answers QUIT: the smuggled MAIL/RCPT/DATA were content, not commands
        # (had they run, their 250, 250, 354 and a second 250 would come first).
        assert wire.command("QUIT").startswith("221")
    assert stored(mr, DEMO_INBOUND) == before + 1
