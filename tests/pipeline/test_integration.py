"""Integration seen from outside: mails sent over SMTP become requests, messages or errors."""

import json
import time

import pytest

from conftest import DEMO_INBOUND
from mails import mail, message_id_of, send


@pytest.fixture
def mr(server, mailroom):
    """A running `mailroom run` (receiver only) and helpers to integrate and look."""
    mailroom.send = lambda raw, **kw: send(server.smtp_port, raw, DEMO_INBOUND, **kw)
    mailroom.integrate = lambda: mailroom.ok("integrate", "--until-idle")
    mailroom.requests = lambda: json.loads(mailroom.ok("requests", "--json"))
    mailroom.errors = lambda: json.loads(mailroom.ok("errors", "--json"))
    mailroom.channel = lambda: json.loads(mailroom.ok("channels", "--json"))[0]
    return mailroom


@pytest.fixture
def server(mailroom):
    from conftest import Server

    return Server(mailroom, "--no-worker")


def test_new_mail_opens_request_one(mr):
    mr.send(mail(subject="Printer on fire"))
    assert "1 integrated" in mr.integrate()
    [request] = mr.requests()
    assert (request["number"], request["subject"]) == (1, "Printer on fire")
    assert request["requester"] == "alice@customer.example"
    assert request["messages"][0]["rule"] == "new-request"
    channel = mr.channel()
    assert channel["received_total"] == 1 and channel["counts"]["integrated"] == 1


def test_replies_thread_by_header_and_by_tag_from_requester(mr):
    first = mail()
    mr.send(first)
    mr.integrate()
    mr.send(mail(subject="Re: Printer", headers={"In-Reply-To": f"<{message_id_of(first)}>"}))
    mr.send(mail(subject="[#1] still burning"))
    mr.send(mail(subject="Any news?", headers={"References": f"<x@y> <{message_id_of(first)}>"}))
    mr.integrate()
    [request] = mr.requests()
    rules = [m["rule"] for m in request["messages"]]
    assert rules == ["new-request", "in-reply-to", "subject-tag", "references"]


def test_tag_from_stranger_opens_new_request(mr):
    mr.send(mail())
    mr.integrate()
    mr.send(mail(sender="mallory@evil.example", subject="[#1] let me in"))
    mr.integrate()
    requests = mr.requests()
    assert [r["number"] for r in requests] == [1, 2]
    assert requests[1]["requester"] == "mallory@evil.example"
    assert len(requests[0]["messages"]) == 1


def test_tag_from_someone_in_cc_of_request_is_appended(mr):
    mr.send(mail(headers={"Cc": "bob@customer.example"}))
    mr.integrate()
    mr.send(mail(sender="bob@customer.example", subject="Re: [#1] me too"))
    mr.integrate()
    [request] = mr.requests()
    assert [m["from_email"] for m in request["messages"]][-1] == "bob@customer.example"


def test_same_message_id_twice_is_duplicate(mr):
    raw = mail(message_id="once@customer.example")
    mr.send(raw)
    mr.send(raw)
    assert "1 duplicate" in mr.integrate()
    assert len(mr.requests()) == 1
    assert mr.channel()["counts"]["duplicate"] == 1


def test_same_bytes_without_message_id_is_duplicate(mr):
    raw = mail(message_id=None)
    mr.send(raw)
    mr.send(raw)
    mr.integrate()
    assert len(mr.requests()) == 1
    assert mr.channel()["counts"]["duplicate"] == 1


def test_no_sender_is_an_error_row_with_code_and_sentence(mr):
    mr.send(mail(sender=None, subject="who am I"), mail_from="<>")
    mr.integrate()
    [error] = mr.errors()
    assert error["code"] == "no-sender"
    assert "sender" in error["text"] and error["subject"] == "who am I"
    assert mr.requests() == []


def test_automatic_mail_matching_nothing_is_ignored_not_error(mr):
    mr.send(mail(sender="noreply@shop.example", headers={"Auto-Submitted": "auto-replied"}))
    mr.integrate()
    assert mr.requests() == [] and mr.errors() == []
    assert mr.channel()["counts"]["ignored"] == 1


def test_block_at_threshold_and_release_in_arrival_order(mr):
    for n in range(9):
        mr.send(mail(sender=None, subject=f"bad {n}"), mail_from="<>")
    mr.integrate()
    assert mr.channel()["state"] == "active"
    mr.send(mail(sender=None, subject="bad 9"), mail_from="<>")
    mr.integrate()
    channel = mr.channel()
    assert channel["state"] == "blocked" and "10 mails in error" in channel["state_reason"]
    assert len(mr.errors()) == 10
    mr.send(mail(subject="first good"))
    mr.send(mail(subject="second good"))
    assert "nothing to do" in mr.integrate()
    assert mr.channel()["counts"]["received"] == 2
    assert "unblocked" in mr.ok("unblock", DEMO_INBOUND)
    mr.integrate()
    assert [r["subject"] for r in mr.requests()] == ["first good", "second good"]
    channel = mr.channel()
    assert channel["state"] == "active"
    assert [e["kind"] for e in channel["events"]] == ["unblocked", "blocked"]
    assert "no-sender x10" in channel["events"][1]["reason"]


def test_replay_and_dismiss_change_the_log(mr):
    mr.send(mail(sender=None, subject="a"), mail_from="<>")
    mr.send(mail(sender=None, subject="b"), mail_from="<>")
    mr.integrate()
    first, second = (e["id"] for e in mr.errors())
    assert "1 mail(s) dismissed" in mr.ok("dismiss", str(first))
    assert [e["id"] for e in mr.errors()] == [second]
    assert "queued" in mr.ok("replay", str(second))
    mr.integrate()  # still no sender: an error again, recorded again
    assert [e["id"] for e in mr.errors()] == [second]
    proc = mr("replay", "999999")
    assert proc.returncode != 0 and "no mail with id 999999" in proc.stderr


def test_mailroom_run_integrates_by_itself(mailroom):
    from conftest import Server

    running = Server(mailroom)  # with its worker this time
    send(running.smtp_port, mail(subject="handled by run"), DEMO_INBOUND)
    deadline = time.monotonic() + 30
    while not json.loads(mailroom.ok("requests", "--json")):
        assert time.monotonic() < deadline, "mailroom run did not integrate the mail"
        time.sleep(0.2)
    [request] = json.loads(mailroom.ok("requests", "--json"))
    assert request["subject"] == "handled by run"


def test_attachment_is_stored_by_hash_and_shown_under_a_safe_name(mr):
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "alice@customer.example", DEMO_INBOUND, "logs"
    msg.set_content("see attached")
    msg.add_attachment(b"#!/bin/sh\nrm -rf /\n", maintype="application",
                       subtype="octet-stream", filename="../../evil.sh")
    mr.send(msg.as_bytes())
    mr.integrate()
    [attachment] = mr.requests()[0]["messages"][0]["attachments"]
    assert attachment["filename"] == "../../evil.sh"  # shown as sent...
    assert "/" not in attachment["safe_name"] and ".." not in attachment["safe_name"]
    stored = mr.home / "attachments" / attachment["sha256"][:2] / attachment["sha256"]
    assert stored.read_bytes() == b"#!/bin/sh\nrm -rf /\n"  # ...kept under its hash
    assert not list(mr.home.rglob("evil.sh"))
