"""Mail that the client's IT forwards through a real Postfix reaches Mailroom.

Postfix (started by scripts/test, see scripts/services.sh) listens on 127.0.0.1:10025 and
relays the domain helpdesk.test to 127.0.0.1:12525, where each test starts its own
`mailroom run`. What Postfix did is read from its log file.
"""

import email
import json
import os
import re
import smtplib
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from email.message import EmailMessage, Message
from pathlib import Path

import pytest

from conftest import Mailroom, need, port_open

SERVICES = Path(os.environ.get("MAILROOM_SERVICES_DIR", "/tmp/mailroom-services"))
POSTFIX_LOG = SERVICES / "postfix" / "postfix.log"
POSTFIX = ("127.0.0.1", 10025)
RELAY_TARGET = ("127.0.0.1", 12525)  # where that Postfix relays helpdesk.test
INBOUND = "support@helpdesk.test"
SENDER = "customer@client.test"  # Postfix discards bounces to client.test
WAIT = 30  # seconds; Postfix retries a deferred mail every 2 to 5 s here

pytestmark = [pytest.mark.postfix, pytest.mark.slow]


@pytest.fixture
def helpdesk(mailroom: Mailroom) -> Mailroom:
    """A Mailroom whose channel's inbound address is support@helpdesk.test (not started)."""
    need(
        port_open(*POSTFIX) and POSTFIX_LOG.exists(),
        f"Postfix on {POSTFIX[0]}:{POSTFIX[1]} logging to {POSTFIX_LOG} (scripts/test starts it)",
    )
    mailroom.ok("tenant", "add", "acme")
    mailroom.ok("channel", "add", "acme", "support@acme.example", "--inbound", INBOUND)
    return mailroom


def start_receiver(mr: Mailroom) -> None:
    """`mailroom run` with its SMTP receiver where Postfix relays to."""
    if port_open(*RELAY_TARGET):
        pytest.fail(
            f"something already listens on {RELAY_TARGET[0]}:{RELAY_TARGET[1]} (a stale "
            "Mailroom?); it would swallow the mail Postfix relays there"
        )
    smtp = "{}:{}".format(*RELAY_TARGET)
    mr.start("run", "--smtp", smtp, "--lmtp", "off", "--web", "off", ready="Mailroom is running")


def send_via_postfix(to: str) -> tuple[str, str]:
    """Hand a new mail to Postfix; returns its unique subject token and Postfix's queue id."""
    token = uuid.uuid4().hex
    msg = EmailMessage()
    msg["From"] = SENDER
    msg["To"] = to
    msg["Subject"] = f"Printer on fire ({token})"
    msg["Message-ID"] = f"<{token}@client.test>"
    msg.set_content("Hello helpdesk, our printer is on fire.\n")
    with smtplib.SMTP(*POSTFIX, local_hostname="mx.client.test", timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.mail(SENDER)[0] == 250
        assert smtp.rcpt(to)[0] == 250
        code, reply = smtp.data(msg.as_bytes())
    assert code == 250, reply
    queue_id = re.search(rb"queued as (\w+)", reply)
    assert queue_id, reply
    return token, queue_id.group(1).decode()


def wait_until(condition: Callable[[], object], what: str, timeout: float = WAIT):
    """Poll until condition() is truthy and return it; fail after timeout seconds."""
    end = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > end:
            pytest.fail(f"waited {timeout} s for {what}")
        time.sleep(0.3)
    return result


def postfix_said(queue_id: str, status: str, text: str = "") -> str | None:
    """The line of Postfix's log where it delivered queue_id with that status and text."""
    for line in POSTFIX_LOG.read_text(errors="replace").splitlines():
        if f" {queue_id}: to=" in line and f"status={status}" in line and text in line:
            return line
    return None


def shown(mr: Mailroom) -> int:
    """How many mails `mailroom channels --json` shows on the helpdesk channel, any state."""
    rows = json.loads(mr.ok("channels", "--json"))
    [row] = [r for r in rows if r["inbound_address"] == INBOUND]
    return sum(row["counts"].values())


def kept_mails(mr: Mailroom, token: str) -> list[Message]:
    """The raw mails kept in the transit inbox whose subject has this token."""
    query = "SELECT raw FROM core_inboundmail ORDER BY id"
    if url := mr.env.get("MAILROOM_DATABASE_URL"):
        import psycopg

        with psycopg.connect(url) as conn:
            rows = conn.execute(query).fetchall()
    else:
        with closing(sqlite3.connect(mr.home / "mailroom.sqlite3")) as conn:
            rows = conn.execute(query).fetchall()
    mails = [email.message_from_bytes(bytes(raw)) for (raw,) in rows]
    return [m for m in mails if token in m["Subject"]]


@contextmanager
def inbox_locked(mr: Mailroom) -> Iterator[None]:
    """Hold the lock Mailroom needs to store a mail, as a long transaction elsewhere would."""
    if url := mr.env.get("MAILROOM_DATABASE_URL"):
        import psycopg

        with psycopg.connect(url) as conn:  # the statement opens a transaction, held here
            conn.execute("LOCK TABLE core_inboundmail IN EXCLUSIVE MODE")
            yield
            conn.rollback()
    else:
        conn = sqlite3.connect(mr.home / "mailroom.sqlite3", isolation_level=None)
        try:
            conn.execute("BEGIN EXCLUSIVE")
            yield
            conn.execute("ROLLBACK")
        finally:
            conn.close()


def unfolded(header: str) -> str:
    return " ".join(header.split())


def test_forwarded_mail_is_kept_with_postfix_received_header(helpdesk):
    start_receiver(helpdesk)
    token, queue_id = send_via_postfix(INBOUND)

    wait_until(lambda: shown(helpdesk) == 1, "the channel to show the mail")
    [mail] = kept_mails(helpdesk, token)
    assert any(
        f"by mta.postfix.test (Postfix) with ESMTP id {queue_id}" in unfolded(h)
        for h in mail.get_all("Received", [])
    ), mail.get_all("Received")
    assert "queued as" in wait_until(
        lambda: postfix_said(queue_id, "sent"), "Postfix to log the delivery"
    )


def test_postfix_retries_after_451_and_mail_arrives_once(helpdesk):
    # A short wait for the database lock, so that Mailroom gives up and answers 451.
    helpdesk.env["MAILROOM_DB_TIMEOUT"] = "1"  # SQLite's busy timeout
    helpdesk.env["PGOPTIONS"] = "-c lock_timeout=1000"  # libpq: every session's lock wait
    start_receiver(helpdesk)

    with inbox_locked(helpdesk):
        token, queue_id = send_via_postfix(INBOUND)
        deferral = wait_until(
            lambda: postfix_said(queue_id, "deferred", "451 4.3.0"),
            "Postfix to log a 451 deferral",
        )
        assert "in reply to end of DATA command" in deferral
        assert kept_mails(helpdesk, token) == []
        assert shown(helpdesk) == 0

    # No flush: Postfix's own retry brings the mail once the lock is gone.
    wait_until(lambda: postfix_said(queue_id, "sent"), "Postfix to retry and deliver")
    assert len(kept_mails(helpdesk, token)) == 1
    assert shown(helpdesk) == 1


def test_mail_to_unknown_address_is_bounced_by_postfix_with_mailroom_550(helpdesk):
    start_receiver(helpdesk)
    token, queue_id = send_via_postfix("nobody@helpdesk.test")

    bounce = wait_until(lambda: postfix_said(queue_id, "bounced"), "Postfix to log the bounce")
    assert "said: 550 5.1.1 <nobody@helpdesk.test>" in bounce
    assert kept_mails(helpdesk, token) == []
    assert shown(helpdesk) == 0
