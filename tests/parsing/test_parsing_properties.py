"""Property tests: whatever the bytes, parse_mail returns clean data or a ParseError."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailroom.parsing import ParsedMail, ParseError, parse_mail

UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
FRAGMENTS = [
    b"From: ",
    b"To: ",
    b"Cc: ",
    b"Subject: ",
    b"Date: ",
    b"Message-ID: ",
    b"Content-Type: ",
    b"Content-Transfer-Encoding: ",
    b"Content-Disposition: ",
    b"multipart/mixed; boundary=b",
    b"message/rfc822",
    b"text/html",
    b"text/plain; charset=",
    b"base64",
    b"quoted-printable",
    b"attachment; filename*=utf-8''%0D%0A..%2F",
    b"name*",
    b"=?utf-8?q?=C3=A9?=",
    b'"',
    b"(",
    b")",
    b"<",
    b">",
    b"@",
    b",",
    b":",
    b";",
    b"\\",
    b"\xe9",
    b"\xff",
    b"\x00",
    b"\r",
    b"\n",
    b"\n\n",
    b"--b\n",
    b"--b--\n",
    b"<script>",
    b"<img src=http://x/y>",
    b"=3D",
    b"====",
    b"alice@example.org",
    b" ",
    b"\t",
]


def assert_clean(mail: ParsedMail) -> None:
    for key, value in mail.to_json().items():
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                assert not UNSAFE.search(text), key
            if isinstance(text, dict):
                assert not any(UNSAFE.search(v) for v in text.values() if isinstance(v, str))


def parse_or_refuse(raw: bytes) -> None:
    try:
        mail = parse_mail(raw)
    except ParseError as error:
        assert error.code in ("too-complex", "unparseable")
    else:
        assert_clean(mail)


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.binary(max_size=3000))
def test_random_bytes_give_clean_data_or_a_parse_error(raw: bytes) -> None:
    parse_or_refuse(raw)


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=120))
def test_mail_shaped_noise_gives_clean_data_or_a_parse_error(fragments: list[bytes]) -> None:
    parse_or_refuse(b"".join(fragments))
