"""Table-driven tests of the parser's small pure pieces: charsets, parameters, names, dates."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from mailroom.parsing import ParseLimits, TooComplex, parse_mail
from mailroom.parsing.charsets import clean_line, clean_text, decode_bytes
from mailroom.parsing.dates import parse_date
from mailroom.parsing.encoded_words import decode_encoded_words
from mailroom.parsing.filenames import MAX_SAFE_NAME, safe_name
from mailroom.parsing.identifiers import message_ids
from mailroom.parsing.params import parse_params
from mailroom.parsing.transfer import decode_base64, normalize_cte

DECODES = [
    ("declared_charset_is_used", "caf\xe9".encode("latin-1"), "iso-8859-1", "café", None),
    ("latin1_label_reads_cp1252_quotes", b"\x93hi\x94", "iso-8859-1", "\u201chi\u201d", None),
    ("undeclared_utf8_is_normal", "café".encode(), None, "café", None),
    (
        "undeclared_latin1_falls_back",
        b"caf\xe9",
        None,
        "café",
        "no charset declared, decoded as cp1252",
    ),
    (
        "wrong_declared_charset_falls_back",
        "café".encode(),
        "us-ascii",
        "café",
        "charset 'us-ascii' does not fit the bytes, decoded as utf-8",
    ),
    (
        "unknown_charset_falls_back",
        b"caf\xe9",
        "x-unknown",
        "café",
        "charset 'x-unknown' unknown, decoded as cp1252",
    ),
    (
        "non_text_codec_is_refused",
        b"aGk=",
        "base64",
        "aGk=",
        "charset 'base64' unknown, decoded as utf-8",
    ),
    (
        "nothing_fits_gives_replacement",
        b"\xff\x81\xff",
        "utf-8",
        "\ufffd\ufffd\ufffd",
        "charset 'utf-8' does not fit the bytes, decoded as utf-8 with replacement",
    ),
    (
        "mislabelled_iso_2022_jp_is_read_as_shift_jis",
        "ツール".encode("cp932"),
        "iso-2022-jp",
        "ツール",
        None,
    ),
]


@pytest.mark.parametrize(
    ("data", "declared", "text", "problem"), [c[1:] for c in DECODES], ids=[c[0] for c in DECODES]
)
def test_charset_chain(data: bytes, declared: str | None, text: str, problem: str | None) -> None:
    assert decode_bytes(data, declared) == (text, problem)


def test_clean_text_removes_nul_controls_and_surrogates_but_keeps_line_breaks() -> None:
    assert clean_text("a\x00b\x07c\td\r\ne\udce9f") == "abc\td\r\nef"
    assert clean_line("a\r\nb\tc\x00") == "a b c"


PARAMS = [
    ("simple", 'text/plain; charset="utf-8"', "text/plain", {"charset": "utf-8"}),
    ("case_and_spaces", "Text/HTML ;  Charset = UTF-8 ", "text/html", {"charset": "UTF-8"}),
    ("quoted_semicolon", 'application/pdf; name="a;b.pdf"', "application/pdf", {"name": "a;b.pdf"}),
    (
        "rfc2231_charset",
        "attachment; filename*=utf-8''%E2%82%AC%20rate.pdf",
        "attachment",
        {"filename": "€ rate.pdf"},
    ),
    (
        "rfc2231_sections",
        "attachment; filename*0*=utf-8''%C3%A9t; filename*1=e.txt",
        "attachment",
        {"filename": "éte.txt"},
    ),
    (
        "rfc2231_beats_plain",
        "attachment; filename=\"old.txt\"; filename*=utf-8''new.txt",
        "attachment",
        {"filename": "new.txt"},
    ),
    (
        "encoded_word_in_quotes",
        'image/png; name="=?utf-8?b?w6kucG5n?="',
        "image/png",
        {"name": "é.png"},
    ),
    ("bare_name_star", "text/plain; name*", "text/plain", {"name": ""}),
    ("unterminated_quote", 'text/plain; name="abc', "text/plain", {"name": "abc"}),
    ("folded_without_semicolon", "multipart/mixed\n\tboundary=x", "multipart/mixed", {}),
]


@pytest.mark.parametrize(
    ("value", "main", "params"), [c[1:] for c in PARAMS], ids=[c[0] for c in PARAMS]
)
def test_mime_parameters(value: str, main: str, params: dict[str, str]) -> None:
    parsed_main, parsed_params, _problems = parse_params(value)
    assert parsed_main == main
    assert {k: v for k, v in parsed_params.items() if k in params} == params


def test_quoted_semicolons_are_read_in_linear_time() -> None:
    value = 'text/plain; name="' + "a;" * 32000 + '"'
    assert len(parse_params(value)[1]["name"]) == 64000


ENCODED_WORDS = [
    ("plain_text_is_untouched", "Hello", "Hello"),
    ("q_encoding", "=?utf-8?q?caf=C3=A9_au_lait?=", "café au lait"),
    ("b_encoding", "=?utf-8?b?w6l0w6k=?=", "été"),
    ("space_between_words_is_dropped", "=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),
    ("split_multibyte_character_is_joined", "=?utf-8?b?w6k=?= =?utf-8?b?w6k=?=", "éé"),
    ("text_around_is_kept", "Re: =?iso-8859-1?q?caf=E9?= !", "Re: café !"),
    ("spaces_inside_a_word_are_tolerated", "=?us-ascii?Q?ABC / 123?=", "ABC / 123"),
    ("unknown_charset_uses_the_chain", "=?x-unknown?q?caf=E9?=", "café"),
    ("language_suffix_is_ignored", "=?utf-8*en?q?hi?=", "hi"),
]


@pytest.mark.parametrize(
    ("text", "decoded"), [c[1:] for c in ENCODED_WORDS], ids=[c[0] for c in ENCODED_WORDS]
)
def test_encoded_words(text: str, decoded: str) -> None:
    assert decode_encoded_words(text, []) == decoded


SAFE_NAMES = [
    ("plain_name", "report.pdf", "report.pdf"),
    ("unix_path", "../../etc/passwd", "passwd"),
    ("windows_path", "C:\\Windows\\evil.bat", "evil.bat"),
    ("dot_dot_inside", "a..b.txt", "a.b.txt"),
    ("only_dots", "..", "attachment-3.bin"),
    ("hidden_file", ".htaccess", "htaccess"),
    ("reserved_characters", 'a<b>c:"d|e?f*.txt', "a_b_c__d_e_f_.txt"),
    ("control_and_bidi", "in\x00v\u202eoice\r\n.exe", "invoice.exe"),
    ("windows_device", "CON.txt", "_CON.txt"),
    ("empty", "", "attachment-3.bin"),
]


@pytest.mark.parametrize(
    ("sent", "safe"), [c[1:] for c in SAFE_NAMES], ids=[c[0] for c in SAFE_NAMES]
)
def test_safe_name(sent: str, safe: str) -> None:
    assert safe_name(sent, 3, "application/octet-stream") == safe


def test_safe_name_is_shortened_keeping_the_extension() -> None:
    name = safe_name("x" * 300 + ".pdf", 1, "application/pdf")
    assert len(name) == MAX_SAFE_NAME and name.endswith(".pdf")


def test_unnamed_parts_get_a_name_from_their_type() -> None:
    assert safe_name("", 2, "image/png") == "attachment-2.png"
    assert safe_name("", 2, "message/rfc822") == "forwarded-message.eml"


def test_lenient_base64_keeps_concatenated_encodings() -> None:
    assert decode_base64(b"QUJD\nRA==\nRUY=") == (
        b"ABCDEF",
        "invalid base64, kept the part that decodes",
    )
    assert decode_base64(b"QU JD\r\n") == (b"ABC", None)


@pytest.mark.parametrize(
    ("raw", "cte"),
    [
        ("Quoted-Printable", "quoted-printable"),
        ("quoted-printable;", "quoted-printable"),
        ('"base64"', "base64"),
        ("7-bit", "7bit"),
        ("8bits", "8bit"),
    ],
)
def test_transfer_encoding_spellings(raw: str, cte: str) -> None:
    assert normalize_cte(raw) == cte


DATES = [
    ("rfc5322", "Mon, 04 Mar 2024 03:04:36 -0500", datetime(2024, 3, 4, 8, 4, 36, tzinfo=UTC)),
    (
        "unknown_zone_is_utc",
        "Mon, 04 Mar 2024 08:04:36 -0000",
        datetime(2024, 3, 4, 8, 4, 36, tzinfo=UTC),
    ),
    ("obsolete_zone_name", "4 Mar 2024 03:04:36 EST", datetime(2024, 3, 4, 8, 4, 36, tzinfo=UTC)),
    ("garbage", "yesterday", None),
    ("empty", "", None),
    ("year_out_of_range", "Mon, 04 Mar 99999 03:04:36 +0000", None),
]


@pytest.mark.parametrize(("value", "expected"), [c[1:] for c in DATES], ids=[c[0] for c in DATES])
def test_dates_are_aware_utc_or_none(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_message_ids_without_brackets_and_duplicates() -> None:
    assert message_ids("<a@x> <b@x>\n <a@x>") == ["a@x", "b@x"]
    assert message_ids("a@x") == ["a@x"]
    assert message_ids("no id here") == []


def test_addresses_are_lower_cased_and_deduplicated() -> None:
    raw = b"From: A <Alice@Example.ORG>\nTo: x@Y.org, X@y.org, undisclosed-recipients:;\n\nhi\n"
    result = parse_mail(raw)
    assert result.from_email == "alice@example.org"
    assert result.to == ["x@y.org"]


def test_old_style_comment_gives_the_display_name() -> None:
    assert parse_mail(b"From: marc@example.org (Marc Smith)\n\nhi\n").from_name == "Marc Smith"


def test_to_json_is_json_safe_and_leaves_out_attachment_content() -> None:
    raw = (
        b"From: a@example.org\nDate: Mon, 04 Mar 2024 08:04:36 +0000\n"
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\n\nhi\n--b\n"
        b"Content-Type: application/pdf; name=a.pdf\n\n%PDF\n--b--\n"
    )
    data = parse_mail(raw).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["date"] == "2024-03-04T08:04:36+00:00"
    assert "content" not in data["attachments"][0]
    assert data["attachments"][0]["sha256"] == hashlib.sha256(b"%PDF").hexdigest()


def test_prescan_does_not_count_sibling_multiparts_as_nesting() -> None:
    inner = b"Content-Type: multipart/alternative; boundary=i\n\n--i\n\nx\n--i--\n"
    siblings = b"".join(b"--o\n" + inner for _ in range(60))
    raw = (
        b"From: a@example.org\nContent-Type: multipart/mixed; boundary=o\n\n"
        + siblings
        + b"--o--\n"
    )
    assert parse_mail(raw, ParseLimits(max_depth=5)).text.count("x") == 60


def test_prescan_limits_are_configurable() -> None:
    with pytest.raises(TooComplex):
        parse_mail(
            b"From: a@example.org\nX-A: " + b"a" * 2000 + b"\n\nhi",
            ParseLimits(max_header_line=1000),
        )
