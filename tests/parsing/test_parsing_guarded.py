"""parse_mail_guarded: the same result as parse_mail, from a reusable child under a clock."""

from __future__ import annotations

import base64
import multiprocessing
import os
import threading

import pytest

from mailroom.parsing import (
    ParseLimits,
    TooComplex,
    Unparseable,
    parse_mail,
    parse_mail_guarded,
    parse_many,
)

SMALL = b"From: Alice <alice@example.org>\nTo: help@example.com\nSubject: Hi\n\nHello\n"


def big_mail(megabytes: int) -> bytes:
    payload = base64.encodebytes(os.urandom(megabytes * 1024 * 1024))
    return (
        b"From: alice@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nsee file\n"
        b"--b\nContent-Type: application/octet-stream; name=big.bin\n"
        b"Content-Transfer-Encoding: base64\n\n" + payload + b"--b--\n"
    )


def parser_children() -> list[multiprocessing.Process]:
    return [p for p in multiprocessing.active_children() if p.name == "mailroom-parser"]


def test_guarded_result_equals_parse_mail() -> None:
    assert parse_mail_guarded(SMALL) == parse_mail(SMALL)


def test_guarded_reuses_one_child_process() -> None:
    parse_mail_guarded(SMALL)
    before = [p.pid for p in parser_children()]
    for _ in range(20):
        parse_mail_guarded(SMALL)
    assert [p.pid for p in parser_children()] == before and len(before) == 1


def test_parse_errors_cross_the_process_boundary_with_their_code() -> None:
    with pytest.raises(Unparseable) as caught:
        parse_mail_guarded(b"")
    assert caught.value.code == "unparseable"
    assert caught.value.text == "The message is empty."


def test_slow_mail_times_out_as_too_complex_and_the_next_mail_is_parsed() -> None:
    with pytest.raises(TooComplex) as caught:
        parse_mail_guarded(big_mail(4), ParseLimits(timeout_s=0.01))
    assert caught.value.text == "Parsing the message took longer than 0.01 s."
    assert parse_mail_guarded(SMALL).subject == "Hi"


def test_crashed_child_is_unparseable_and_replaced() -> None:
    raw = big_mail(8)
    parse_mail_guarded(SMALL)
    (child,) = parser_children()
    threading.Timer(0.05, child.kill).start()
    with pytest.raises(Unparseable) as caught:
        parse_mail_guarded(raw)
    assert "died" in caught.value.text
    assert parse_mail_guarded(SMALL).subject == "Hi"


def test_parse_many_keeps_order_and_survives_a_timeout_in_the_middle() -> None:
    other = SMALL.replace(b"Subject: Hi", b"Subject: Bye")
    # 8 MB takes about 0.2 s here; the small ones well under a millisecond.
    results = list(parse_many([SMALL, big_mail(8), other, b""], ParseLimits(timeout_s=0.05)))
    assert [type(r).__name__ for r in results] == [
        "ParsedMail", "TooComplex", "ParsedMail", "Unparseable"
    ]
    assert (results[0].subject, results[2].subject) == ("Hi", "Bye")


def test_parse_many_of_nothing_yields_nothing() -> None:
    assert list(parse_many([])) == []


def test_parse_many_stopped_early_frees_the_parser_and_drops_the_mail_in_flight() -> None:
    results = parse_many([SMALL, SMALL.replace(b"Subject: Hi", b"Subject: In flight")])
    assert next(results).subject == "Hi"
    results.close()  # the second mail is in the child now
    other = SMALL.replace(b"Subject: Hi", b"Subject: Next caller")
    # Would deadlock if the lock were held; would say "In flight" if its result were kept.
    assert parse_mail_guarded(other).subject == "Next caller"
