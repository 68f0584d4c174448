"""Machine-sent mail is recognised, with the reason people will see (BAD_INPUT.md, loops)."""

from __future__ import annotations

import pytest

from mailroom.parsing import parse_mail

HUMAN = b"From: Alice <alice@example.org>\nTo: help@example.com\nSubject: Hi\n"
REPORT = (
    b"From: MAILER-DAEMON (Mail Delivery System)\nTo: help@example.com\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=r\n\n"
    b"--r\n\nYour mail could not be delivered.\n--r\nContent-Type: message/delivery-status\n\n"
    b"Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; x@example.com\n"
    b"Action: failed\n--r--\n"
)

CASES = [
    ("human_mail_is_not_automatic", HUMAN, ""),
    ("auto_submitted_no_is_human", HUMAN + b"Auto-Submitted: no\n", ""),
    ("auto_replied", HUMAN + b"Auto-Submitted: auto-replied\n", "Auto-Submitted: auto-replied"),
    (
        "auto_generated_with_params",
        HUMAN + b"Auto-Submitted: auto-generated; owner=x\n",
        "Auto-Submitted: auto-generated",
    ),
    ("precedence_bulk", HUMAN + b"Precedence: bulk\n", "Precedence: bulk"),
    ("precedence_list", HUMAN + b"Precedence: List\n", "Precedence: list"),
    ("precedence_junk", HUMAN + b"Precedence: junk\n", "Precedence: junk"),
    ("precedence_first_class_is_human", HUMAN + b"Precedence: first-class\n", ""),
    (
        "exchange_suppress",
        HUMAN + b"X-Auto-Response-Suppress: All\n",
        "X-Auto-Response-Suppress: All",
    ),
    ("x_loop", HUMAN + b"X-Loop: help@example.com\n", "X-Loop: help@example.com"),
    ("list_id", HUMAN + b"List-Id: <news.example.org>\n", "List-Id: <news.example.org>"),
    (
        "list_unsubscribe",
        HUMAN + b"List-Unsubscribe: <mailto:u@example.org>\n",
        "List-Unsubscribe: <mailto:u@example.org>",
    ),
    ("null_return_path", HUMAN + b"Return-Path: <>\n", "Return-Path: <> (null sender)"),
    ("noreply_sender", b"From: Shop <no-reply@shop.example>\n", "sender no-reply@shop.example"),
    ("noreply_sender_without_dash", b"From: noreply@shop.example\n", "sender noreply@shop.example"),
    ("postmaster_sender", b"From: postmaster@example.org\n", "sender postmaster@example.org"),
    (
        "mailer_daemon_sender",
        b"From: MAILER-DAEMON@mx.example.org\n",
        "sender mailer-daemon@mx.example.org",
    ),
    ("noreply_in_the_name_only_is_human", b"From: No Reply Desk <desk@example.org>\n", ""),
    ("delivery_report", REPORT, "multipart/report (delivery report)"),
]


@pytest.mark.parametrize(("raw", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_automatic_reason(raw: bytes, reason: str) -> None:
    assert parse_mail(raw + b"\nbody\n" if b"\n\n" not in raw else raw).automatic == reason


def test_delivery_report_is_flagged_and_keeps_the_status_as_an_attachment() -> None:
    result = parse_mail(REPORT)
    assert result.is_delivery_report
    assert result.text == "Your mail could not be delivered."
    status = result.attachments[0]
    assert status.content_type == "message/delivery-status"
    assert status.safe_name == "delivery-status.txt"
    assert b"Action: failed" in status.content


def test_read_receipt_is_a_report_but_named_as_such() -> None:
    raw = REPORT.replace(b"delivery-status;", b"disposition-notification;")
    assert parse_mail(raw).automatic == "multipart/report (disposition-notification)"
