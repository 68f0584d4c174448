"""Mailboxes of From, Sender, Reply-To, To and Cc.

Decisions use policy.default's header objects (`.addresses`), never parseaddr/getaddresses, which
return the wrong address for some inputs before Python 3.11.10 (CVE-2023-27043). A careful
reading of the raw text takes over when a header object cannot be built or plainly missed the
address, and only then; display names may come from it (old-style `addr (Name)` comments and
adjacent encoded words, RFC 2047 section 6.2).
"""

from __future__ import annotations

import email.policy
import re
from dataclasses import dataclass
from email.headerregistry import AddressHeader
from functools import lru_cache

from mailroom.parsing.charsets import clean_line, repair_escaped_bytes
from mailroom.parsing.defects import Defects
from mailroom.parsing.encoded_words import decode_encoded_words
from mailroom.parsing.headers import HeaderReader

# The stdlib address parser is quadratic in the length of one phrase (80,000 dots: 44 s);
# no honest mailbox is this long between two commas.
MAX_ADDRESS_CHUNK = 1000
_CACHED_VALUE = 512  # longer fields are rare and would make the cache large

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|\((?:[^()\\]|\\.)*\)?|<[^<>]*>?|,|[^",<(]+', re.DOTALL)
_BARE_ADDRESS = re.compile(r'[^\s@<>(),;:"]+@[^\s@<>(),;:"]+')


@dataclass(frozen=True)
class Mailbox:
    name: str  # display name, decoded
    addr: str  # lower-case addr-spec, "" when the mailbox has none


def read_mailboxes(headers: HeaderReader, name: str, value: str | None = None) -> list[Mailbox]:
    """Every mailbox of the `name` header (first one, or `value`), groups flattened."""
    value = headers.text(name) if value is None else value
    if not value.strip():
        return []
    if max(len(chunk) for chunk in value.split(",")) > MAX_ADDRESS_CHUNK:
        headers.defect(f"{name} header too long for the address parser, read as raw text")
        return mailboxes_from_raw(value)
    mailboxes = _from_header_object(headers, name, value)
    if mailboxes is None:
        return mailboxes_from_raw(value)
    if "@" in value and any(m.addr and "@" not in m.addr for m in mailboxes):
        raw = mailboxes_from_raw(value)
        if _count_full(raw) > _count_full(mailboxes):
            headers.defect(f"{name} header misread by the address parser, read as raw text")
            return raw
    if "(" in value or "=?" in value:
        mailboxes = _with_raw_names(mailboxes, mailboxes_from_raw(value))
    return mailboxes


def _from_header_object(headers: HeaderReader, name: str, value: str) -> list[Mailbox] | None:
    parse = _read_header_object if len(value) <= _CACHED_VALUE else _read_header_object.__wrapped__
    mailboxes, defects = parse(name, value)
    for defect in defects:
        headers.defect(defect)
    return None if mailboxes is None else list(mailboxes)


@lru_cache(maxsize=1024)
def _read_header_object(
    name: str, value: str
) -> tuple[tuple[Mailbox, ...] | None, tuple[str, ...]]:
    """policy.default's reading of an address field: mailboxes (None if it raised), defects.

    Pure, so it is cached: the channel's own address is in the To of nearly every mail.
    """
    try:
        header = _header_class(name.lower())(name, value)
    except Exception as exc:  # the stdlib raises IndexError, RecursionError, TypeError...
        return None, (f"{name} header unreadable ({type(exc).__name__}), read as raw text",)
    mailboxes = []
    for address in header.addresses:
        addr = _addr_spec(address.username, address.domain)
        # Encoded words in an unknown charset come back as escaped bytes: decode them too.
        display = clean_line(repair_escaped_bytes(address.display_name)[0]).strip()
        if addr or display:
            mailboxes.append(Mailbox(display, addr))
    defects = tuple(Defects.describe_header_defect(d, name) for d in header.defects)
    return tuple(mailboxes), defects


@lru_cache(maxsize=16)
def _header_class(name: str) -> type[AddressHeader]:
    # HeaderRegistry builds a new class on every lookup; policy.default's header_fetch_parse
    # would do that lookup for every field it parses.
    return email.policy.default.header_factory[name]


def _count_full(mailboxes: list[Mailbox]) -> int:
    return sum("@" in m.addr for m in mailboxes)


def _with_raw_names(parsed: list[Mailbox], raw: list[Mailbox]) -> list[Mailbox]:
    """Prefer raw-text names for the same addresses: they keep comments and join words."""
    raw_names = {m.addr: m.name for m in raw if m.addr and m.name}
    return [Mailbox(raw_names.get(m.addr, m.name) or m.name, m.addr) for m in parsed]


def _addr_spec(local: str, domain: str) -> str:
    local, domain = clean_line(local).strip(), clean_line(domain).strip()
    return f"{local}@{domain}".lower() if domain else local.lower()


def mailboxes_from_raw(value: str) -> list[Mailbox]:
    """Best-effort reading of a malformed address list, linear in its length."""
    mailboxes = []
    for tokens in _split_list(value):
        mailbox = _mailbox_from_tokens(tokens)
        if mailbox.addr or mailbox.name:
            mailboxes.append(mailbox)
    return mailboxes


def _split_list(value: str) -> list[list[str]]:
    items: list[list[str]] = [[]]
    for token in _TOKEN.findall(value):
        if token == ",":
            items.append([])
        else:
            items[-1].append(token)
    return [item for item in items if item]


def _mailbox_from_tokens(tokens: list[str]) -> Mailbox:
    angles = [t.strip("<>").strip() for t in tokens if t.startswith("<")]
    comments = [t.strip("()").strip() for t in tokens if t.startswith("(")]
    words = [t for t in tokens if not t.startswith(("<", "("))]
    if angles:
        addr = angles[-1]
        phrase = " ".join(w.strip().strip('"') for w in words)
    else:
        text = " ".join(words)
        found = _BARE_ADDRESS.search(text)
        # A lone word is a local part without domain, e.g. "MAILER-DAEMON (Mail Delivery System)".
        addr = found.group() if found else text.strip() if len(text.split()) == 1 else ""
        phrase = ""
    phrase = " ".join(phrase.split()) or " ".join(comments)
    name = clean_line(decode_encoded_words(phrase, [])).strip()
    return Mailbox(name, clean_line(addr).strip().lower())
