"""The parser meets Zammad's expectations for its 80 real-world mails, except where listed.

Zammad's `mailNNN.yml` hold its own rendering. We compare what carries meaning: sender address
and name, subject (white space collapsed), To and Cc as sets of addresses, and attachment names
in order (Zammad's copy of the HTML body, `message.html` with content-alternative, left out;
for unnamed parts our generated safe name is compared). Each exception below is a place where
we deliberately differ; the test fails if an exception stops being one, so the table stays true.
"""

from __future__ import annotations

import re
from pathlib import Path

import mini_yaml
import pytest
from parsing_support import CORPUS, corpus_or_skip

from mailroom.parsing import ParsedMail, parse_mail

ZAMMAD_INVENTS_NAMES = (
    "Zammad names unnamed parts itself ('file', 'document.html', 'video.mov', and "
    "'<Content-Description>.txt' for delivery reports); we keep filename empty and generate "
    "delivery-status.txt, headers.txt, attachment-N.ext"
)
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("mail006", "to"): (
        "To is 'Namedyński (hans@example.com)': the only address is inside a comment, which "
        "carries no address (RFC 5322 section 3.2.2); Zammad takes it, we report no recipient"
    ),
    ("mail075", "to"): "same To header as mail006",
    ("mail018", "subject"): (
        "a UTF-7 encoded word with spaces inside: we decode it ('Übermittlungsstatus'), "
        "Zammad leaves '+ANw-bermittlungsstatus'"
    ),
    ("mail019", "from_email"): (
        "From is '\"我\" <>' (no address): Zammad substitutes Reply-To, we report From as sent "
        "(reply_to holds vipyiming@126.com)"
    ),
    ("mail035", "from_email"): (
        "From is a quoted string only; Zammad keeps the quotes, we give the bare address"
    ),
    ("mail046", "from_name"): (
        "raw 8-bit GB2312 display name: we read it with the mail's GB2312 charset ('武兰成'), "
        "Zammad as ISO-8859-2"
    ),
    ("mail033-undelivered-mail-returned-to-sender", "attachments"): ZAMMAD_INVENTS_NAMES,
    ("mail042", "attachments"): ZAMMAD_INVENTS_NAMES,
    ("mail053", "attachments"): ZAMMAD_INVENTS_NAMES,
    ("mail055", "attachments"): (
        ZAMMAD_INVENTS_NAMES + "; the bounced message has no Subject: forwarded-message.eml"
    ),
    ("mail062", "attachments"): ZAMMAD_INVENTS_NAMES,
    ("mail063", "attachments"): ZAMMAD_INVENTS_NAMES,
    ("mail073", "attachments"): (
        "RFC 2231 name declared us-ascii holds %F6: our charset chain gives 'Wölbung', "
        "Zammad shows U+FFFD"
    ),
    ("mail085", "attachments"): (
        "a second text/html in multipart/mixed (Apple Mail): we join it to the body as Apple "
        "Mail shows it, Zammad makes it an attachment 'document.html'"
    ),
    ("mail087", "from_name"): (
        "'From: Test test@example.com' has no display name (obsolete local part 'Test test'); "
        "Zammad repeats the whole value as the name"
    ),
    ("mail087", "attachments"): (
        "a part without Content-Type is text/plain (RFC 2045 section 5.2) and is our body; "
        "Zammad makes it an attachment 'file'"
    ),
    ("mail102", "attachments"): (
        "two attachments share a name; Zammad renames the second ('…091.00.38.png'), we keep "
        "names as sent"
    ),
}
_QUOTED = re.compile(r'"[^"]*"')
_ADDRESS = re.compile(r"<([^<>]*)>|([^\s<>(),;\"']+@[^\s<>(),;\"']+)")


def zammad_mails() -> list[Path]:
    return sorted((CORPUS / "zammad").glob("mail*.box"))


def addresses_in(rendered: object) -> list[str]:
    """Addresses of Zammad's rendered header ('Name <a@b>, c@d'), quoted names removed."""
    text = _QUOTED.sub("", str(rendered or ""))
    found = (angle or bare for angle, bare in _ADDRESS.findall(text))
    return sorted({a.strip().lower() for a in found if a.strip()})


def expected_attachments(expected: dict) -> list[str]:
    return [
        a["filename"]
        for a in expected.get("attachments") or []
        if not (a.get("preferences") or {}).get("content-alternative")
    ]


def compared_fields(mail: ParsedMail, expected: dict) -> dict[str, tuple[object, object]]:
    """field -> (ours, Zammad's), both normalised as described in the module docstring."""
    return {
        "from_email": (mail.from_email, str(expected.get("from_email") or "").lower()),
        "from_name": (mail.from_name, str(expected.get("from_display_name") or "")),
        "subject": (
            " ".join(mail.subject.split()),
            " ".join(str(expected.get("subject") or "").split()),
        ),
        "to": (sorted(set(mail.to)), addresses_in(expected.get("to"))),
        "cc": (sorted(set(mail.cc)), addresses_in(expected.get("cc"))),
        "attachments": (
            [a.filename or a.safe_name for a in mail.attachments],
            expected_attachments(expected),
        ),
    }


@pytest.mark.parametrize("box", zammad_mails() or [None], ids=lambda p: p and p.stem)
def test_zammad_mail_matches_its_expectations(box: Path | None) -> None:
    corpus_or_skip("zammad")
    assert box is not None, "no mailNNN.box in the Zammad corpus"
    expected = mini_yaml.load(box.with_suffix(".yml").read_text(encoding="utf-8"))
    assert isinstance(expected, dict)
    mail = parse_mail(box.read_bytes())
    for field, (ours, theirs) in compared_fields(mail, expected).items():
        reason = EXCEPTIONS.get((box.stem, field))
        if reason is None:
            assert ours == theirs, f"{field} differs from Zammad's"
        else:
            assert ours != theirs, f"{field} now matches Zammad: drop the exception ({reason})"


def test_every_zammad_exception_names_an_existing_mail() -> None:
    folder = corpus_or_skip("zammad")
    assert {name for name, _ in EXCEPTIONS} <= {p.stem for p in folder.glob("mail*.box")}
