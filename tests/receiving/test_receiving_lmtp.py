"""The LMTP receiver of `mailroom run`: after DATA, one reply per accepted recipient (RFC 2033).

LMTP over the size limit is in test_receiving_smtp.py, beside the other size tests.
"""

import pytest
from mr_wire import Wire, add_channel, message, running, stored

from conftest import DEMO_INBOUND

OTHER_INBOUND = "acme-sales@in.mailroom.localhost"
UNKNOWN = "nobody@in.mailroom.localhost"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(mr, server): one `mailroom run` for the module, with the demo and an acme channel."""
    with running(tmp_path_factory) as (mr, server):
        add_channel(mr, "sales@acme.example", OTHER_INBOUND)
        yield mr, server


def lhlo(wire: Wire) -> None:
    reply = wire.command("LHLO mta.example")
    assert reply.startswith("250"), reply


def test_lmtp_answers_one_250_per_recipient_and_550_for_an_unknown_one(live):
    mr, server = live
    before = {k: stored(mr, k) for k in (DEMO_INBOUND, OTHER_INBOUND)}
    with Wire(server.lmtp_port) as wire:
        lhlo(wire)
        assert wire.command("MAIL FROM:<alice@customer.example>").startswith("250")
        assert wire.command(f"RCPT TO:<{DEMO_INBOUND}>").startswith("250 2.1.5")
        assert wire.command(f"RCPT TO:<{UNKNOWN}>").startswith("550 5.1.1")
        assert wire.command(f"RCPT TO:<{OTHER_INBOUND}>").startswith("250 2.1.5")
        replies = wire.data(message(), replies=2)
        assert [r[:9] for r in replies] == ["250 2.0.0", "250 2.0.0"], replies
        # Exactly two: the next thing said is the answer to QUIT.
        assert wire.command("QUIT").startswith("221")
    assert stored(mr, DEMO_INBOUND) == before[DEMO_INBOUND] + 1
    assert stored(mr, OTHER_INBOUND) == before[OTHER_INBOUND] + 1


def test_lmtp_greeting_is_lhlo_not_ehlo(live):
    with Wire(live[1].lmtp_port) as wire:
        assert not wire.command("EHLO mta.example").startswith("250")
        lhlo(wire)


def test_lmtp_null_sender_is_accepted(live):
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    with Wire(server.lmtp_port) as wire:
        lhlo(wire)
        assert wire.command("MAIL FROM:<>").startswith("250")
        assert wire.command(f"RCPT TO:<{DEMO_INBOUND}>").startswith("250")
        assert wire.data(message())[0].startswith("250")
    assert stored(mr, DEMO_INBOUND) == before + 1


def test_lmtp_same_recipient_twice_gets_a_reply_per_accepted_rcpt(live):
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    with Wire(server.lmtp_port, timeout=1.5) as wire:
        lhlo(wire)
        wire.command("MAIL FROM:<alice@customer.example>")
        assert wire.command(f"RCPT TO:<{DEMO_INBOUND}>").startswith("250")
        assert wire.command(f"RCPT TO:<{DEMO_INBOUND.upper()}>").startswith("250")
        replies = wire.data(message(), replies=2)
    assert [r[:3] for r in replies] == ["250", "250"]
    assert stored(mr, DEMO_INBOUND) == before + 1
