"""Message ids of Message-ID, In-Reply-To and References (RFC 5322 section 3.6.4), without <>.

Read with a regular expression rather than policy.default, whose parser raises IndexError on
ids such as `<[x@y]>` (gh-151857). Ids without angle brackets, as some mailers send them, are
accepted when they look like local@domain.
"""

from __future__ import annotations

import re

from mailroom.parsing.charsets import clean_line

MAX_IDS = 200  # a References chain longer than this is trimmed to its newest ids
_BRACKETED = re.compile(r"<([^<>]*)>")
_BARE = re.compile(r"[^\s<>(),;\"]+@[^\s<>(),;\"]+")


def message_ids(value: str) -> list[str]:
    """Every distinct id in the header value, oldest first (References order)."""
    found = _BRACKETED.findall(value) or _BARE.findall(value)
    ids: dict[str, None] = {}
    for candidate in found:
        cleaned = "".join(clean_line(candidate).split())
        if cleaned:
            ids[cleaned] = None
    return list(ids)[-MAX_IDS:]


def first_message_id(value: str) -> str:
    ids = message_ids(value)
    return ids[0] if ids else ""
