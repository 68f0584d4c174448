"""The SMTP receiver of `mailroom run`, seen by a sending MTA over loopback.

Replies: 250 once stored, 550 5.1.1 for an address that is no channel's inbound address,
552 5.3.4 over the size limit; entries checked through `mailroom channels --json`.
Most tests share one running Mailroom per module and compare counts before and after.
"""

import smtplib
from concurrent.futures import ThreadPoolExecutor

import pytest
from mr_wire import Wire, add_channel, assert_clean, channels, message, running, stored

from conftest import DEMO_INBOUND

SMALL_LIMIT = 20_000
OTHER_INBOUND = "acme-sales@in.mailroom.localhost"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """(mr, server): one `mailroom run` for the module, with the demo and an acme channel."""
    with running(tmp_path_factory) as (mr, server):
        add_channel(mr, "sales@acme.example", OTHER_INBOUND)
        yield mr, server


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """(mr, server) with MAILROOM_MAX_MAIL_BYTES=20000, so size tests stay fast."""
    with running(tmp_path_factory, MAILROOM_MAX_MAIL_BYTES=str(SMALL_LIMIT)) as (mr, server):
        add_channel(mr, "sales@acme.example", OTHER_INBOUND)
        yield mr, server


def smtp(port: int) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", port, timeout=30)
    client.ehlo("sender.example")
    return client


def transaction(wire: Wire, rcpts: list[str], mail_from: str = "alice@customer.example"):
    """EHLO (once per connection), MAIL, then the RCPTs one by one; the RCPT replies."""
    if not any(r.startswith("250-") for r in wire.seen):
        assert wire.command("EHLO sender.example").startswith("250")
    assert wire.command(f"MAIL FROM:<{mail_from}>").startswith("250")
    return [wire.command(f"RCPT TO:<{rcpt}>") for rcpt in rcpts]


# --- 250: stored, then acknowledged --------------------------------------------------------


def test_mail_for_a_channel_gets_250_and_is_stored(live):
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    with smtp(server.smtp_port) as client:
        assert client.mail("alice@customer.example")[0] == 250
        assert client.rcpt(DEMO_INBOUND) == (250, b"2.1.5 Ok")
        code, text = client.data(message())
    assert code == 250 and text.startswith(b"2.0.0 Ok"), (code, text)
    row = channels(mr)[DEMO_INBOUND]
    assert sum(row["counts"].values()) == before + 1
    assert row["last_received_at"] is not None


def test_recipient_address_is_matched_whatever_its_case(live):
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    with smtp(server.smtp_port) as client:
        client.sendmail("alice@customer.example", [DEMO_INBOUND.upper()], message())
    assert stored(mr, DEMO_INBOUND) == before + 1


def test_null_sender_is_accepted_so_bounces_are_received(live):
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    with Wire(server.smtp_port) as wire:
        assert wire.command("EHLO mailer-daemon.example").startswith("250")
        assert wire.command("MAIL FROM:<>").startswith("250")
        assert wire.command(f"RCPT TO:<{DEMO_INBOUND}>").startswith("250")
        [reply] = wire.data(message(subject="Undelivered Mail Returned to Sender"))
    assert reply.startswith("250 2.0.0"), reply
    assert stored(mr, DEMO_INBOUND) == before + 1


def test_several_mails_in_one_connection_are_each_stored(live):
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    with smtp(server.smtp_port) as client:
        for n in range(3):
            client.sendmail("alice@customer.example", [DEMO_INBOUND], message(subject=f"#{n}"))
    assert stored(mr, DEMO_INBOUND) == before + 3


def test_concurrent_senders_all_get_250_and_every_mail_is_stored(live):
    """Eight connections at once, to one channel and to two: no 451 from a busy database."""
    mr, server = live
    before = {k: stored(mr, k) for k in (DEMO_INBOUND, OTHER_INBOUND)}

    def sender(n: int) -> list[dict]:
        rcpts = [DEMO_INBOUND, OTHER_INBOUND] if n % 2 else [DEMO_INBOUND]
        with smtp(server.smtp_port) as client:
            return [client.sendmail(f"s{n}@customer.example", rcpts, message(subject=f"{n}.{i}"))
                    for i in range(5)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(sender, range(8)))
    assert results == [[{}] * 5] * 8
    assert stored(mr, DEMO_INBOUND) == before[DEMO_INBOUND] + 40
    assert stored(mr, OTHER_INBOUND) == before[OTHER_INBOUND] + 20


# --- 550 5.1.1: never relay ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "nobody@in.mailroom.localhost",  # our domain, but no channel
        "contact@demo.example",  # a channel's PUBLIC address: delivering there is relaying
        "demo-contact@in.mailroom.localhost.evil.example",
        "someone@gmail.com",
        "demo-contact@[127.0.0.1]",
    ],
)
def test_unknown_recipient_gets_550(live, address):
    with smtp(live[1].smtp_port) as client:
        client.mail("alice@customer.example")
        code, text = client.rcpt(address)
        assert code == 550 and text.startswith(b"5.1.1"), (code, text)
        assert address.lower().encode() in text  # says which address
        with pytest.raises(smtplib.SMTPDataError) as err:  # no recipient, nothing to take
            client.data(message())
        assert err.value.smtp_code == 503


def test_mail_for_known_and_unknown_recipients_is_stored_for_the_known_only(live):
    mr, server = live
    before = channels(mr)
    with smtp(server.smtp_port) as client:
        refused = client.sendmail(
            "alice@customer.example", ["nobody@elsewhere.example", DEMO_INBOUND], message()
        )
    assert list(refused) == ["nobody@elsewhere.example"]
    assert refused["nobody@elsewhere.example"][0] == 550
    after = channels(mr)
    assert sum(after[DEMO_INBOUND]["counts"].values()) == (
        sum(before[DEMO_INBOUND]["counts"].values()) + 1
    )
    assert after[OTHER_INBOUND]["counts"] == before[OTHER_INBOUND]["counts"]


def test_all_recipients_unknown_is_refused_and_stores_nothing(live):
    mr, server = live
    before = channels(mr)
    with smtp(server.smtp_port) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as err:
        client.sendmail("alice@customer.example", ["a@relay.example", "b@relay.example"], b"x")
    assert {code for code, _ in err.value.recipients.values()} == {550}
    assert {k: v["counts"] for k, v in channels(mr).items()} == {
        k: v["counts"] for k, v in before.items()
    }


# --- one entry per channel -----------------------------------------------------------------


def test_mail_to_two_channels_gives_one_entry_per_channel(live):
    mr, server = live
    before = {k: sum(v["counts"].values()) for k, v in channels(mr).items()}
    with smtp(server.smtp_port) as client:
        assert client.sendmail("a@customer.example", [DEMO_INBOUND, OTHER_INBOUND], message()) == {}
    rows = channels(mr)
    assert sum(rows[DEMO_INBOUND]["counts"].values()) == before[DEMO_INBOUND] + 1
    assert sum(rows[OTHER_INBOUND]["counts"].values()) == before[OTHER_INBOUND] + 1
    assert rows[DEMO_INBOUND]["last_received_at"] == rows[OTHER_INBOUND]["last_received_at"]


def test_same_recipient_twice_gives_one_entry(live):
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    with Wire(server.smtp_port) as wire:
        replies = transaction(wire, [DEMO_INBOUND, DEMO_INBOUND.upper()])
        assert [r[:3] for r in replies] == ["250", "250"]
        assert wire.data(message())[0].startswith("250")
    assert stored(mr, DEMO_INBOUND) == before + 1


# --- 552 5.3.4: over the size limit --------------------------------------------------------


def test_ehlo_announces_the_size_limit(small):
    with smtp(small[1].smtp_port) as client:
        assert client.esmtp_features["size"] == str(SMALL_LIMIT)


def test_mail_over_size_limit_gets_552_after_data_and_the_next_one_is_taken(small):
    mr, server = small
    before = stored(mr, DEMO_INBOUND)
    with Wire(server.smtp_port) as wire:
        transaction(wire, [DEMO_INBOUND])
        [reply] = wire.data(message(size=SMALL_LIMIT + 1))
        assert reply.startswith("552 5.3.4"), reply
        transaction(wire, [DEMO_INBOUND])
        assert wire.data(message())[0].startswith("250")
    assert stored(mr, DEMO_INBOUND) == before + 1


def test_mail_of_exactly_the_size_limit_is_accepted(small):
    mr, server = small
    before = stored(mr, DEMO_INBOUND)
    with Wire(server.smtp_port) as wire:
        transaction(wire, [DEMO_INBOUND])
        assert wire.data(message(size=SMALL_LIMIT))[0].startswith("250")
    assert stored(mr, DEMO_INBOUND) == before + 1


def test_declared_size_over_limit_gets_552_at_mail_from(small):
    with Wire(small[1].smtp_port) as wire:
        wire.command("EHLO sender.example")
        reply = wire.command(f"MAIL FROM:<a@customer.example> SIZE={SMALL_LIMIT + 1}")
    assert reply.startswith("552 5.3.4"), reply


def test_smtplib_sending_an_oversized_mail_is_refused_with_552(small):
    # smtplib declares SIZE= since we announce SIZE: the refusal comes at MAIL FROM.
    with smtp(small[1].smtp_port) as client, pytest.raises(smtplib.SMTPSenderRefused) as err:
        client.sendmail("a@customer.example", [DEMO_INBOUND], message(size=SMALL_LIMIT * 2))
    assert err.value.smtp_code == 552 and err.value.smtp_error.startswith(b"5.3.4")


def test_lmtp_over_size_gets_552_per_recipient(small):
    mr, server = small
    before = stored(mr, DEMO_INBOUND)
    with Wire(server.lmtp_port) as wire:
        assert wire.command("LHLO mta.example").startswith("250")
        wire.command("MAIL FROM:<alice@customer.example>")
        assert wire.command(f"RCPT TO:<{DEMO_INBOUND}>").startswith("250")
        assert wire.command(f"RCPT TO:<{OTHER_INBOUND}>").startswith("250")
        replies = wire.data(message(size=SMALL_LIMIT + 100), replies=2)
        assert [r[:9] for r in replies] == ["552 5.3.4", "552 5.3.4"], replies
        reply = wire.command(f"MAIL FROM:<alice@customer.example> SIZE={SMALL_LIMIT + 1}")
        assert reply.startswith("552 5.3.4"), reply
        assert wire.command("QUIT").startswith("221")
    assert stored(mr, DEMO_INBOUND) == before


def test_30_mb_mail_gets_552_with_the_default_25_mb_limit(live):
    """The real default (no MAILROOM_MAX_MAIL_BYTES), without a SIZE= declaration."""
    mr, server = live
    before = stored(mr, DEMO_INBOUND)
    with smtp(server.smtp_port) as client:
        assert client.esmtp_features["size"] == str(25 * 1024 * 1024)
        client.mail("alice@customer.example")
        client.rcpt(DEMO_INBOUND)
        code, text = client.data(message(size=30 * 1024 * 1024))
        assert (code, text[:5]) == (552, b"5.3.4"), (code, text)
        assert client.sendmail("alice@customer.example", [DEMO_INBOUND], message()) == {}
    assert stored(mr, DEMO_INBOUND) == before + 1


# --- replies outside the spec's list -------------------------------------------------------


def test_mail_with_a_line_over_1000_bytes_is_accepted(live):
    with Wire(live[1].smtp_port) as wire:
        transaction(wire, [DEMO_INBOUND])
        [reply] = wire.data(message(body="<p>" + "x" * 4000 + "</p>"))
    assert_clean(reply)
    assert reply.startswith("250"), reply


def test_recipient_that_is_not_utf8_gets_550_not_451(live):
    with Wire(live[1].smtp_port) as wire:
        wire.command("EHLO sender.example")
        wire.command("MAIL FROM:<alice@customer.example>")
        reply = wire.command(b"RCPT TO:<d\xe9mo@in.mailroom.localhost>")
    assert reply.startswith("550 5.1.1"), reply


def test_sender_that_is_not_utf8_does_not_get_451_forever(live):
    with Wire(live[1].smtp_port) as wire:
        wire.command("EHLO sender.example")
        reply = wire.command(b"MAIL FROM:<al\xefce@customer.example>")
        if reply.startswith("5"):
            return  # refused for good at MAIL FROM: acceptable, the sender knows at once
        assert wire.command(f"RCPT TO:<{DEMO_INBOUND}>").startswith("250")
        [reply] = wire.data(message())
    assert reply.startswith("250"), reply
