"""The pure rules of integration, table-driven: conformity, requester choice, subject tags."""

from dataclasses import replace

import pytest

from mailroom.parsing import ParsedMail
from mailroom.pipeline.check import check
from mailroom.pipeline.match import subject_tags
from mailroom.pipeline.outcomes import Ignored, NotConforming

BASE = ParsedMail(
    from_email="alice@customer.example", from_name="Alice", reply_to=[], sender="",
    to=["contact@demo.example"], cc=[], subject="Help", message_id="m1@x", in_reply_to=[],
    references=[], date=None, text="body", html="", attachments=[], defects=[], automatic="",
    is_delivery_report=False,
)


@pytest.mark.parametrize(
    ("changes", "envelope", "requester"),
    [
        ({}, "", "alice@customer.example"),
        ({"from_email": ""}, "bounce@relay.example", "bounce@relay.example"),
        ({"from_email": "", "reply_to": ["rt@x.example"]}, "env@x.example", "rt@x.example"),
        ({"from_email": "", "sender": "sec@x.example"}, "", "sec@x.example"),
    ],
)
def test_requester_is_from_then_reply_to_then_sender_then_envelope(changes, envelope, requester):
    assert check(replace(BASE, **changes), envelope) == requester


@pytest.mark.parametrize(
    ("changes", "envelope", "code"),
    [
        ({"from_email": ""}, "", "no-sender"),
        ({"from_email": "not-an-address"}, "", "no-sender"),
        ({"subject": "", "text": "  \n", "html": ""}, "", "empty"),
    ],
)
def test_non_conforming_mail_gets_its_code(changes, envelope, code):
    with pytest.raises(NotConforming) as caught:
        check(replace(BASE, **changes), envelope)
    assert caught.value.code == code and caught.value.text.endswith(".")


def test_subject_only_mail_is_not_empty():
    assert check(replace(BASE, text=""), "") == "alice@customer.example"


def test_senderless_delivery_report_is_ignored_not_error():
    report = replace(BASE, from_email="", is_delivery_report=True, automatic="multipart/report")
    with pytest.raises(Ignored):
        check(report, "")


@pytest.mark.parametrize(
    ("subject", "prefix", "numbers"),
    [
        ("Re: [#12] printer", "#", [12]),
        ("[#1] and [#2]", "#", [1, 2]),
        ("#12 without brackets", "#", []),
        ("[# 12] space", "#", []),
        ("[ACME-7] custom prefix", "ACME-", [7]),
        ("[#7] other prefix", "ACME-", []),
        ("[#99999999999] absurd", "#", []),
        ("", "#", []),
    ],
)
def test_subject_tags(subject, prefix, numbers):
    assert subject_tags(subject, prefix) == numbers
