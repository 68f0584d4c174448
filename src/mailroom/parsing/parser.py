"""parse_mail: raw bytes in, a ParsedMail out; raises only ParseError subclasses.

The pipeline: pre-scan the bytes against the caps, build the MIME tree with the stdlib parser
(policy.default, then compat32 if that raises), then read headers, bodies and attachments from
that tree. A mail a human could read comes out as a ParsedMail with its defects listed.
"""

from __future__ import annotations

import email
import email.policy
import re
from email.message import Message
from email.policy import Policy

from mailroom.parsing.addresses import Mailbox, read_mailboxes
from mailroom.parsing.attachments import build_attachment
from mailroom.parsing.automatic import automatic_reason
from mailroom.parsing.bodies import lay_out, read_bodies
from mailroom.parsing.charsets import charset_hint
from mailroom.parsing.dates import parse_date
from mailroom.parsing.defects import Defects
from mailroom.parsing.errors import ParseError, TooComplex, Unparseable
from mailroom.parsing.fastpolicy import caching_default
from mailroom.parsing.headers import HeaderReader
from mailroom.parsing.identifiers import first_message_id, message_ids
from mailroom.parsing.model import ParsedMail, ParseLimits
from mailroom.parsing.prescan import prescan
from mailroom.parsing.repair import repair_header_block
from mailroom.parsing.structure import Part, flatten

_BARE_CR = re.compile(rb"\r(?!\n)")
_POLICIES: tuple[tuple[str, Policy], ...] = (
    ("default", caching_default),
    ("compat32", email.policy.compat32),
)


def parse_mail(raw: bytes, limits: ParseLimits = ParseLimits()) -> ParsedMail:  # noqa: B008
    """Parse one mail. Empty input is Unparseable: there is nothing a person could answer."""
    if not isinstance(raw, bytes | bytearray | memoryview):
        raise Unparseable("The message was not handed over as bytes.")
    raw = bytes(raw)
    if not raw.strip():
        raise Unparseable("The message is empty.")
    raw, repaired = repair_header_block(raw, limits.max_header_bytes)
    header_end = prescan(raw, limits)
    hint = None if raw.isascii() else charset_hint(raw)  # only 8-bit bytes need a guess
    failures: list[BaseException] = []
    for name, policy in _POLICIES:
        defects = Defects()
        if repaired:
            defects.add("header lines without indentation, read as continuation lines")
        if _BARE_CR.search(raw, 0, header_end):
            # RFC 5322 section 2.2: CR only in CRLF. The parser splits the field there, so
            # "Subject: a\rBcc: x" reads as two fields; the raw bytes stay the reference.
            defects.add("bare CR in the header block")
        if failures:
            defects.add(f"fell back to {name} ({type(failures[-1]).__name__})")
        try:
            msg = email.message_from_bytes(raw, policy=policy)
            return _read(msg, limits, defects, hint)
        except (ParseError, MemoryError):
            raise
        except Exception as exc:  # IndexError, RecursionError, LookupError... (BAD_INPUT.md)
            failures.append(exc)
    if isinstance(failures[-1], RecursionError):
        raise TooComplex("The message is too deeply nested for the parser.")
    raise Unparseable(
        f"The message could not be read, even by the fallback parser "
        f"({type(failures[-1]).__name__})."
    )


def _read(msg: Message, limits: ParseLimits, defects: Defects, hint: str | None) -> ParsedMail:
    headers = HeaderReader(msg, defects, hint)
    parts = flatten(msg, defects, limits, hint)
    layout = lay_out(parts)
    bodies = read_bodies(layout, limits.max_html_bytes, defects)
    attachments = [
        build_attachment(part, index, defects, hint)
        for index, part in enumerate(layout.attachments, 1)
    ]
    author = _author(headers)
    sender = _first_address(read_mailboxes(headers, "Sender"))
    date = parse_date(headers.text("Date"))
    _note_header_problems(headers, date is not None)
    return ParsedMail(
        from_email=author.addr,
        from_name=author.name,
        reply_to=_addresses(headers, "Reply-To"),
        sender=sender,
        to=_addresses(headers, "To"),
        cc=_addresses(headers, "Cc"),
        subject=headers.decoded("Subject"),
        message_id=first_message_id(headers.text("Message-ID")),
        in_reply_to=message_ids(headers.text("In-Reply-To")),
        references=message_ids(headers.text("References")),
        date=date,
        text=bodies.text,
        html=bodies.html,
        attachments=attachments,
        automatic=automatic_reason(headers, _report_type(parts), [author.addr, sender]),
        is_delivery_report=_is_delivery_report(parts),
        defects=defects.as_list(),
    )


def _author(headers: HeaderReader) -> Mailbox:
    """The first From mailbox that has an address (RFC 5322 section 3.6.2).

    A mailbox without domain is kept ("MAILER-DAEMON (Mail Delivery System)" in bounces).
    With several From fields, the first one that has an address wins.
    """
    values = headers.all_text("From")
    if not values:
        headers.defect("no From header")
        return Mailbox("", "")
    if len(values) > 1:
        headers.defect("more than one From header")
    for value in values:
        mailboxes = read_mailboxes(headers, "From", value)
        author = next((m for m in mailboxes if "@" in m.addr), None)
        author = author or next((m for m in mailboxes if m.addr), None)
        if author is not None:
            if len(mailboxes) > 1:
                headers.defect(f"From header has {len(mailboxes)} mailboxes")
            if "@" not in author.addr:
                headers.defect("From address has no domain")
            return author
    headers.defect("From header has no usable address")
    return Mailbox("", "")


def _note_header_problems(headers: HeaderReader, has_date: bool) -> None:
    if not headers.count("Date"):
        headers.defect("no Date header")
    elif not has_date:
        headers.defect("Date header unreadable")
    if not headers.count("Message-ID"):
        headers.defect("no Message-ID header")


def _first_address(mailboxes: list[Mailbox]) -> str:
    return next((m.addr for m in mailboxes if m.addr), "")


def _addresses(headers: HeaderReader, name: str) -> list[str]:
    """Distinct addr-specs; a bare word ("To: Recipients") is no address and is left out."""
    addresses = [m.addr for m in read_mailboxes(headers, name) if m.addr]
    if any("@" not in addr for addr in addresses):
        headers.defect(f"{name} header has a mailbox without domain, left out")
    return list(dict.fromkeys(addr for addr in addresses if "@" in addr))


def _report_type(parts: list[Part]) -> str | None:
    for part in parts:
        if part.content_type == "multipart/report":
            return part.params.get("report-type", "").lower()
    return None


def _is_delivery_report(parts: list[Part]) -> bool:
    return any(p.content_type in ("multipart/report", "message/delivery-status") for p in parts)
