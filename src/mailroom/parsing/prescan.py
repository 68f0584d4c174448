"""Cheap structural checks on the raw bytes, before the email package sees them.

The stdlib parser is recursive and in places quadratic: a 160 KB Subject, 100,000 empty parts or
MIME nested 1,000 deep take seconds or raise RecursionError (see docs/BAD_INPUT.md). This module
walks only header blocks and boundary lines (bytes.find between them, no per-line Python loop) and
raises TooComplex when a cap of ParseLimits is exceeded. It is an estimate, deliberately erring
towards counting more than the parser would see; the guarded runner's clock is the last line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailroom.parsing.errors import TooComplex
from mailroom.parsing.model import ParseLimits

# The feedparser's idea of a header line (email/feedparser.py headerRE), RFC 5322 section 2.2.
_HEADER_BLOCK = re.compile(rb"(?:(?:From |[\x21-\x39\x3b-\x7e]*:|[ \t])[^\r\n]*(?:\r\n|\r|\n|\Z))*")
_HEADER_START = re.compile(rb"(?:\r\n|\r|\n)(?![ \t])")
_EOL = re.compile(rb"\r\n|\r|\n")
_FOLDED_VALUE = rb"[ \t]*:([^\r\n]*(?:(?:\r\n|\r|\n)[ \t][^\r\n]*)*)"
# (?<![^\r\n]): at a line start, also when the search starts there (\A would not match).
_CONTENT_TYPE = re.compile(rb"(?<![^\r\n])content-type" + _FOLDED_VALUE, re.IGNORECASE)
_ADDRESS_HEADER = re.compile(
    rb"(?<![^\r\n])(?:from|sender|reply-to|to|cc)" + _FOLDED_VALUE, re.IGNORECASE
)
_BOUNDARY = re.compile(rb'boundary\s*=\s*(?:"([^"\r\n]*)"|([^\s;"]+))', re.IGNORECASE)
# RFC 2046 section 5.1.1: "--" boundary, optional "--" when closing, then transport padding.
_DELIMITER_TAIL = re.compile(rb"(--)?[ \t]*(?:\r\n|\r|\n|\Z)")


@dataclass(frozen=True)
class _Entity:
    """A header block plus body in raw[start:end], `depth` containers deep."""

    start: int
    end: int
    depth: int
    default_type: bytes = b"text/plain"


def prescan(raw: bytes, limits: ParseLimits) -> int:
    """Raise TooComplex if the mail exceeds a cap; else return the top header block's length."""
    parts = 0
    top_header_end = 0
    pending = [_Entity(0, len(raw), 0)]
    while pending:
        entity = pending.pop()
        if entity.depth > limits.max_depth:
            raise TooComplex(
                f"The message is nested more than {limits.max_depth} levels deep "
                "(multipart or forwarded messages)."
            )
        header_end = _header_block_end(raw, entity.start, entity.end, limits)
        if entity.start == 0:
            top_header_end = header_end
            _check_comment_nesting(raw[:header_end], limits.max_depth)
        children = _children(raw, entity, header_end, limits)
        parts += len(children)
        if parts > limits.max_parts:
            raise TooComplex(f"The message has more than {limits.max_parts} MIME parts.")
        pending.extend(children)
    return top_header_end


def _header_block_end(raw: bytes, start: int, end: int, limits: ParseLimits) -> int:
    """End offset of the header block at `start`, after checking its size and longest header."""
    cap = limits.max_header_bytes
    block_end = _HEADER_BLOCK.match(raw, start, min(end, start + cap + 1)).end()
    if block_end - start > cap:
        raise TooComplex(f"The message headers are larger than {cap // 1024} KB.")
    if block_end - start > limits.max_header_line:
        previous = start
        for match in _HEADER_START.finditer(raw, start, block_end):
            _check_header_length(match.start() - previous, limits)
            previous = match.end()
        _check_header_length(block_end - previous, limits)
    return block_end


def _check_header_length(length: int, limits: ParseLimits) -> None:
    if length > limits.max_header_line:
        raise TooComplex(
            f"One header of the message is longer than {limits.max_header_line // 1024} KB."
        )


def _check_comment_nesting(headers: bytes, max_depth: int) -> None:
    """Nested RFC 5322 comments (section 3.2.2) make the stdlib address parser recurse.

    Only address headers are read with that parser; a Subject full of "(" is harmless.
    """
    if headers.count(b"(") <= max_depth:
        return
    for match in _ADDRESS_HEADER.finditer(headers):
        value = match.group(1)
        if value.count(b"(") > max_depth and _comment_depth(value) > max_depth:
            raise TooComplex(f"A header nests comments more than {max_depth} levels deep.")


def _comment_depth(value: bytes) -> int:
    depth = deepest = 0
    for byte in value:
        if byte == 0x28:  # "("
            depth += 1
            deepest = max(deepest, depth)
        elif byte == 0x29 and depth:  # ")"
            depth -= 1
    return deepest


def _children(raw: bytes, entity: _Entity, header_end: int, limits: ParseLimits) -> list[_Entity]:
    """Nested entities: the parts of a multipart, or the message inside a message/* part."""
    body_start = _skip_blank_line(raw, header_end, entity.end)
    content_type = _CONTENT_TYPE.search(raw, entity.start, header_end)
    value = content_type.group(1) if content_type else b""
    mime_type = value.split(b";", 1)[0].strip().lower() or entity.default_type
    if mime_type.startswith(b"message/") and mime_type != b"message/delivery-status":
        return [_Entity(body_start, entity.end, entity.depth + 1)]
    boundary = _BOUNDARY.search(value) if mime_type.startswith(b"multipart/") else None
    if boundary is None:
        return []
    delimiter = b"--" + (boundary.group(1) or boundary.group(2) or b"").rstrip()
    default = b"message/rfc822" if mime_type == b"multipart/digest" else b"text/plain"
    spans = _part_spans(raw, delimiter, body_start, entity.end, limits.max_parts)
    return [_Entity(start, end, entity.depth + 1, default) for start, end in spans]


def _skip_blank_line(raw: bytes, pos: int, end: int) -> int:
    match = _EOL.match(raw, pos, end)
    return match.end() if match else pos


def _part_spans(
    raw: bytes, delimiter: bytes, start: int, end: int, max_parts: int
) -> list[tuple[int, int]]:
    """(start, end) of each body part between delimiter lines; stops at the closing one."""
    spans: list[tuple[int, int]] = []
    part_start = None
    pos = start
    while len(spans) <= max_parts:
        found = raw.find(delimiter, pos, end)
        if found < 0:
            break
        pos = found + len(delimiter)
        tail = _DELIMITER_TAIL.match(raw, pos, end)
        if tail is None or (found > start and raw[found - 1] not in b"\r\n"):
            continue
        if part_start is not None:
            spans.append((part_start, found))
        if tail.group(1):
            return spans
        part_start = pos = tail.end()
    if part_start is not None:
        spans.append((part_start, end))
    return spans
