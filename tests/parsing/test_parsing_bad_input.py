"""Every row of docs/BAD_INPUT.md's parser table and MIME shapes, as small synthetic mails.

Each mail either integrates (a ParsedMail, with defects recorded and the best readable body) or
fails with a typed ParseError, and never takes long.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from mailroom.parsing import ParsedMail, ParseError, TooComplex, Unparseable, parse_mail

HEAD = b"From: Alice <alice@example.org>\nTo: help@example.com\nSubject: Hello\n"
DATED = HEAD + b"Date: Mon, 04 Mar 2024 08:04:36 +0000\nMessage-ID: <m1@example.org>\n"


def mail(headers: bytes, body: bytes = b"Hello there\n") -> bytes:
    return headers + b"\n" + body


def multipart(parts: list[bytes], kind: bytes = b"mixed", head: bytes = DATED) -> bytes:
    """Parts are given with their headers; a part that has none starts with a blank line."""
    body = b"".join(b"--b1\n" + part + b"\n" for part in parts) + b"--b1--\n"
    return head + b"Content-Type: multipart/" + kind + b'; boundary="b1"\n\n' + body


def nested(depth: int) -> bytes:
    """A text part inside `depth` nested multipart/mixed containers."""
    raw = b"Content-Type: text/plain\n\ninnermost\n"
    for level in range(depth):
        b = b"n%d" % level
        raw = b"Content-Type: multipart/mixed; boundary=%s\n\n--%s\n%s\n--%s--\n" % (b, b, raw, b)
    return HEAD + raw


def has_defect(result: ParsedMail, fragment: str) -> bool:
    return any(fragment in defect for defect in result.defects)


# (name, raw mail, check on the ParsedMail)
READABLE: list[tuple[str, bytes, Callable[[ParsedMail], bool]]] = [
    (
        "name_star_param_falls_back_to_compat32",  # gh-148518: IndexError in message_from_bytes
        multipart([b"Content-Type: text/plain; name*\n\nbody text"]),
        lambda m: m.text == "body text" and has_defect(m, "fell back to compat32 (IndexError)"),
    ),
    (
        "to_with_lone_quote_is_read_as_raw_text",  # gh-151857
        mail(b'From: alice@example.org\nTo: "\n'),
        lambda m: m.to == [] and has_defect(m, "To header unreadable (IndexError)"),
    ),
    (
        "to_with_comment_and_colon_is_read_as_raw_text",
        mail(b"From: alice@example.org\nTo: (c):\n"),
        lambda m: m.to == [] and m.from_email == "alice@example.org",
    ),
    (
        "message_id_with_brackets_inside_is_kept",
        mail(b"From: alice@example.org\nMessage-ID: <[x@y]>\n"),
        lambda m: m.message_id == "[x@y]",
    ),
    (
        "colons_before_address_do_not_recurse",  # parseaddr('a' + ':' * 5000 + 'b@c')
        mail(b"From: alice@example.org\nTo: a" + b":" * 5000 + b"b@c.example\n"),
        lambda m: m.from_email == "alice@example.org",
    ),
    (
        "long_dotted_phrase_is_read_without_the_quadratic_parser",  # 80,000 dots: 44 s
        mail(b"From: " + b"." * 30000 + b" <alice@example.org>\n"),
        lambda m: m.from_email == "alice@example.org" and has_defect(m, "too long"),
    ),
    (
        "comment_does_not_hide_the_real_address",  # CVE-2023-27043
        mail(b"From: alice@example.org(<bob@example.org>\n"),
        lambda m: m.from_email == "alice@example.org",
    ),
    (
        "encoded_line_break_stays_inside_one_subject_line",  # CVE-2024-6923
        mail(b"From: alice@example.org\nSubject: =?utf-8?q?a=0D=0ABcc:_x@example.org?=\n"),
        lambda m: m.subject == "a Bcc: x@example.org",
    ),
    (
        "unknown_charset_falls_back_to_cp1252",
        mail(HEAD + b"Content-Type: text/plain; charset=x-unknown\n", b"caf\xe9\n"),
        lambda m: (
            m.text == "café" and has_defect(m, "charset 'x-unknown' unknown, decoded as cp1252")
        ),
    ),
    (
        "encoded_word_as_charset_falls_back_to_utf8",
        mail(HEAD + b'Content-Type: text/plain; charset="=?utf-8?q?x?="\n', "café\n".encode()),
        lambda m: m.text == "café" and has_defect(m, "unknown, decoded as utf-8"),
    ),
    (
        "latin1_8bit_headers_are_decoded",
        mail(b"From: Jos\xe9 <jose@example.org>\nSubject: caf\xe9 cr\xe8me\n"),
        lambda m: m.from_name == "José" and m.subject == "café crème",
    ),
    (
        "utf8_8bit_headers_are_decoded_without_defect",
        mail("From: Zoë <zoe@example.org>\nSubject: Grüße\n".encode()),
        lambda m: m.from_name == "Zoë" and m.subject == "Grüße" and not has_defect(m, "8-bit"),
    ),
    (
        "invalid_base64_keeps_what_decodes",
        multipart(
            [
                b"Content-Type: application/pdf; name=a.pdf\nContent-Transfer-Encoding: base64"
                b"\n\nJVBERi0xL"
            ]
        ),
        lambda m: m.attachments[0].content == b"%PDF-1" and has_defect(m, "invalid base64"),
    ),
    (
        "bare_cr_in_header_is_recorded",
        mail(b"From: alice@example.org\nSubject: a\rBcc: x@example.org\n"),
        lambda m: m.subject == "a" and has_defect(m, "bare CR in the header block"),
    ),
    (
        "missing_from_is_recorded",
        mail(b"To: help@example.com\nSubject: Hi\n"),
        lambda m: m.from_email == "" and has_defect(m, "no From header"),
    ),
    (
        "duplicate_from_uses_the_first_with_an_address",
        mail(b"From: [garbage]\nFrom: Bob <bob@example.org>\n"),
        lambda m: m.from_email == "bob@example.org" and has_defect(m, "more than one From"),
    ),
    (
        "missing_message_id_and_date_are_recorded",
        mail(HEAD),
        lambda m: (
            m.message_id == ""
            and m.date is None
            and has_defect(m, "no Message-ID header")
            and has_defect(m, "no Date header")
        ),
    ),
    (
        "bad_date_is_none_with_a_defect",
        mail(HEAD + b"Date: yesterday at noon\n"),
        lambda m: m.date is None and has_defect(m, "Date header unreadable"),
    ),
    (
        "boundary_never_present_reads_the_body_as_text",
        mail(HEAD + b"Content-Type: multipart/mixed; boundary=nowhere\n", b"just text\n"),
        lambda m: m.text == "just text" and has_defect(m, "StartBoundaryNotFoundDefect"),
    ),
    (
        "missing_final_boundary_keeps_the_parts",
        HEAD + b"Content-Type: multipart/mixed; boundary=b1\n\n--b1\n\nfirst\n--b1\n"
        b"Content-Type: text/csv; name=a.csv\n\n1,2\n",
        lambda m: (
            m.text == "first"
            and m.attachments[0].content == b"1,2"
            and has_defect(m, "CloseBoundaryNotFoundDefect")
        ),
    ),
    (
        "no_blank_line_between_headers_and_body",
        HEAD + b"This line starts the body\nand this continues it\n",
        lambda m: "continues it" in m.text and m.subject == "Hello",
    ),
    (
        "continuation_lines_without_indentation_are_repaired",
        b"X-Tracker: AAAA\nBBBBCCCC\nDDDD\nFrom: alice@example.org\nSubject: Repaired\n\nbody\n",
        lambda m: (
            m.from_email == "alice@example.org"
            and m.subject == "Repaired"
            and has_defect(m, "without indentation")
        ),
    ),
    (
        "tnef_winmail_dat_stays_an_attachment",
        multipart(
            [
                b"\nplain body",
                b"Content-Type: application/ms-tnef; name=winmail.dat\n"
                b"Content-Transfer-Encoding: base64\n\neJ8+IgEA",
            ]
        ),
        lambda m: (
            [(a.filename, a.content_type) for a in m.attachments]
            == [("winmail.dat", "application/ms-tnef")]
        ),
    ),
    (
        "base64_message_rfc822_is_decoded_and_named_after_its_subject",
        multipart(
            [
                b"\nsee attached",
                b"Content-Type: message/rfc822\nContent-Transfer-Encoding: "
                b"base64\n\nU3ViamVjdDogSW5uZXIKCmlubmVyIGJvZHkK",
            ]
        ),
        lambda m: (
            m.attachments[0].filename == "Inner.eml"
            and m.attachments[0].content.startswith(b"Subject: Inner")
        ),
    ),
    (
        "forwarded_message_without_subject_is_forwarded_message_eml",
        multipart([b"\nfwd", b"Content-Type: message/rfc822\n\nFrom: x@example.org\n\ninner\n"]),
        lambda m: (
            m.attachments[0].safe_name == "forwarded-message.eml"
            and m.attachments[0].content_type == "message/rfc822"
        ),
    ),
    (
        "x_uuencode_attachment_is_decoded",
        multipart(
            [
                b"Content-Type: application/octet-stream; name=a.bin\n"
                b"Content-Transfer-Encoding: x-uuencode\n\nbegin 644 a.bin\n#86)C\n`\nend"
            ]
        ),
        lambda m: m.attachments[0].content == b"abc",
    ),
    (
        "utf7_body_is_decoded",
        mail(HEAD + b"Content-Type: text/plain; charset=utf-7\n", b"+AOk-t+AOk-\n"),
        lambda m: m.text == "été",
    ),
    (
        "path_traversal_filename_is_made_safe",
        multipart(
            [
                b"\nx",
                b"Content-Type: text/plain\nContent-Disposition: attachment; "
                b'filename="../../etc/passwd"\n\nroot:x:0:0',
            ],
            head=DATED,
        ),
        lambda m: (
            m.attachments[0].filename == "../../etc/passwd"
            and m.attachments[0].safe_name == "passwd"
        ),
    ),
    (
        "encoded_word_path_traversal_filename_is_made_safe",
        multipart(
            [
                b"\nx",
                b'Content-Type: application/x-sh; name="=?utf-8?q?=2E=2E/=2E=2E/evil'
                b'=2Esh?="\n\n#!/bin/sh',
            ]
        ),
        lambda m: (
            m.attachments[0].filename == "../../evil.sh" and m.attachments[0].safe_name == "evil.sh"
        ),
    ),
    (
        "nul_in_filename_is_removed",
        multipart([b"\nx", b'Content-Type: text/plain; name="x\x00.txt"\n\nlog']),
        lambda m: m.attachments[0].filename == "x.txt" and m.attachments[0].safe_name == "x.txt",
    ),
    (
        "cr_lf_in_rfc2231_filename_are_removed",
        multipart(
            [
                b"\nx",
                b"Content-Type: text/plain\nContent-Disposition: attachment; "
                b"filename*=utf-8''a%0D%0Ab.txt\n\nlog",
            ]
        ),
        lambda m: m.attachments[0].filename == "a b.txt",
    ),
    (
        "right_to_left_override_is_removed_from_the_safe_name",
        multipart(
            [
                b"\nx",
                'Content-Type: application/octet-stream; name="inv\u202egpj.exe"\n\nMZ'.encode(),
            ]
        ),
        lambda m: m.attachments[0].safe_name == "invgpj.exe",
    ),
    (
        "eleven_kilobyte_header_line_is_fine",
        mail(HEAD + b"X-Long: " + b"a" * 11000 + b"\n"),
        lambda m: m.from_email == "alice@example.org",
    ),
    (
        "inline_cid_image_is_flagged_inline",
        multipart(
            [
                b'Content-Type: text/html\n\n<p>logo <img src="cid:logo@x"></p>',
                b"Content-Type: image/png\nContent-ID: <logo@x>\nContent-Transfer-Encoding: "
                b"base64\n\niVBORw0KGgo=",
            ],
            kind=b"related",
        ),
        lambda m: (
            m.attachments[0].inline
            and m.attachments[0].content_id == "logo@x"
            and 'src="cid:logo@x"' in m.html
        ),
    ),
]


@pytest.mark.parametrize(("raw", "check"), [c[1:] for c in READABLE], ids=[c[0] for c in READABLE])
def test_bad_input_integrates_with_defects(raw: bytes, check: Callable[[ParsedMail], bool]) -> None:
    started = time.monotonic()
    result = parse_mail(raw)
    assert time.monotonic() - started < 2
    assert check(result), result.to_json()


# (name, raw mail, expected error class)
REFUSED: list[tuple[str, bytes, type[ParseError]]] = [
    ("empty_mail_is_unparseable", b"", Unparseable),
    ("white_space_only_mail_is_unparseable", b" \r\n\r\n\t", Unparseable),
    (
        "nested_parentheses_in_an_address_header_are_too_complex",
        mail(HEAD + b"Cc: " + b"(" * 244 + b"x"),
        TooComplex,
    ),
    (
        "subject_of_160_kb_is_too_complex",
        mail(b"From: alice@example.org\nSubject: " + b"A " * 80000 + b"\n"),
        TooComplex,
    ),
    (
        "eighty_thousand_dots_are_too_complex",
        mail(b"From: " + b"." * 80000 + b" <a@b.c>\n"),
        TooComplex,
    ),
    ("header_block_of_300_kb_is_too_complex", mail(HEAD + b"X-A: b\n" * 45000), TooComplex),
    (
        "hundred_thousand_empty_parts_are_too_complex",
        HEAD + b"Content-Type: multipart/mixed; boundary=b\n\n" + b"--b\n\n" * 100000 + b"--b--\n",
        TooComplex,
    ),
    ("ten_thousand_attachments_are_too_complex", multipart([b"\nx"] * 10000), TooComplex),
    ("multipart_nested_970_deep_is_too_complex", nested(970), TooComplex),
    (
        "message_rfc822_nested_970_deep_is_too_complex",
        HEAD + b"Content-Type: message/rfc822\n\n" * 970 + b"body",
        TooComplex,
    ),
]


@pytest.mark.parametrize(("raw", "error"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_bad_input_is_refused_quickly_with_a_code(raw: bytes, error: type[ParseError]) -> None:
    started = time.monotonic()
    with pytest.raises(error) as caught:
        parse_mail(raw)
    assert time.monotonic() - started < 1
    assert caught.value.code == error.code
    assert caught.value.text.endswith(".")


def test_nesting_just_under_the_cap_is_parsed() -> None:
    assert parse_mail(nested(40)).text == "innermost"


def test_java_stack_trace_in_a_body_is_not_mistaken_for_a_long_header() -> None:
    trace = (
        b"java.lang.IllegalStateException: boom\n"
        + b"\tat com.example.Foo.bar(Foo.java:1)\n" * 3000
    )
    attachment = b"Content-Type: text/plain; name=trace.log\n\n" + trace
    result = parse_mail(multipart([b"\nsee log", attachment]))
    assert result.attachments[0].size == len(trace)
