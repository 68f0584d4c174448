"""Repairs two breakages of the top-level header block before parsing.

Some gateways re-wrap a long header without indenting its continuation lines (RFC 5322
section 2.2.3), and some write "Name :" with white space before the colon (obsolete syntax,
RFC 5322 section 4.5). The stdlib parser ends the header block at the first such line, and
everything after it, From, To and Subject included, becomes body text. When real header fields
follow before the first empty line, "Name :" becomes "Name:" and other stray lines are indented.
The raw bytes stay the reference; this only changes what the parser reads.
"""

from __future__ import annotations

import re

# The feedparser's header line (email/feedparser.py headerRE).
_HEADER_LINE = re.compile(rb"(?:From |[\x21-\x39\x3b-\x7e]*:|[ \t])")
_HEADER_BLOCK = re.compile(rb"(?:(?:From |[\x21-\x39\x3b-\x7e]*:|[ \t])[^\r\n]*(?:\r\n|\r|\n))*")
_BLANK_LINE = re.compile(rb"(?:\r\n|\r|\n)(?:\r\n|\r|\n)|\Z")
# Fields found in nearly every header block: proof that the block goes on.
_CORE_FIELD = re.compile(
    rb"^(?:from|to|subject|date|message-id|mime-version|content-type|received)[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
_OBSOLETE_FIELD = re.compile(rb"([\x21-\x39\x3b-\x7e]+)[ \t]+:")
_LINE = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def repair_header_block(raw: bytes, max_header_bytes: int) -> tuple[bytes, bool]:
    """Return the bytes to parse and whether continuation lines were indented."""
    stop = _HEADER_BLOCK.match(raw, 0, max_header_bytes).end()
    if stop >= len(raw) or raw[stop : stop + 1] in (b"\r", b"\n"):
        return raw, False  # the block ends with an empty line, as it should
    blank = _BLANK_LINE.search(raw, stop, stop + max_header_bytes)
    end = blank.start() + 1 if blank else stop
    if not _CORE_FIELD.search(raw, stop, end):
        return raw, False  # headers followed directly by body text: leave it to the parser
    lines = [_repair_line(line) for line in _LINE.findall(raw, stop, end)]
    return raw[:stop] + b"".join(lines) + raw[end:], True


def _repair_line(line: bytes) -> bytes:
    if _HEADER_LINE.match(line):
        return line
    obsolete = _OBSOLETE_FIELD.match(line)
    if obsolete:
        return obsolete.group(1) + b":" + line[obsolete.end() :]
    return b" " + line
