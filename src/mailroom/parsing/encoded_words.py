"""Decodes RFC 2047 encoded words ("=?utf-8?q?caf=C3=A9?=") in linear time, never raising.

Adjacent words in the same charset are joined before decoding, because mailers split multibyte
characters across words. White space between adjacent encoded words is dropped (RFC 2047
section 6.2). Bytes go through the charset chain, so an unknown charset still gives text.
"""

from __future__ import annotations

import binascii
import re

from mailroom.parsing.charsets import decode_bytes
from mailroom.parsing.transfer import decode_base64

# RFC 2047 section 5 forbids white space inside an encoded word; mailers put it there anyway
# ("=?us-ascii?Q?ABC / 123?="), and readers such as Thunderbird decode it.
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([qQbB])\?([^?]*)\?=")
_WHITESPACE = re.compile(r"\s*")


def decode_encoded_words(text: str, problems: list[str]) -> str:
    """Replace every run of encoded words by its text; append lossy decodes to problems."""
    if "=?" not in text:
        return text
    out: list[str] = []
    pending = bytearray()
    pending_charset = ""
    pos = 0
    for match in _ENCODED_WORD.finditer(text):
        gap = text[pos : match.start()]
        charset = match.group(1).split("*", 1)[0]  # RFC 2231 section 5: charset*language
        adjacent = bool(pending) and _WHITESPACE.fullmatch(gap) is not None
        if not (adjacent and charset.lower() == pending_charset.lower()):
            if pending:
                out.append(_decode(bytes(pending), pending_charset, problems))
                pending.clear()
            if not adjacent:
                out.append(gap)
        pending_charset = charset
        pending += _word_bytes(match.group(2), match.group(3), problems)
        pos = match.end()
    if pending:
        out.append(_decode(bytes(pending), pending_charset, problems))
    out.append(text[pos:])
    return "".join(out)


def _word_bytes(encoding: str, payload: str, problems: list[str]) -> bytes:
    data = payload.encode("ascii", "ignore")
    if encoding in "bB":
        decoded, problem = decode_base64(data)
        if problem:
            problems.append(f"encoded word: {problem}")
        return decoded
    return binascii.a2b_qp(data, header=True)  # "Q" encoding, RFC 2047 section 4.2


def _decode(data: bytes, charset: str, problems: list[str]) -> str:
    text, problem = decode_bytes(data, charset)
    if problem:
        problems.append(problem)
    return text
