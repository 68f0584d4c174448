"""Reads the header fields of a message once each, as text that never raises.

With policy.default every `msg[name]` re-parses the field, and some malformed fields raise
IndexError or RecursionError on access (gh-151857). Here each field's raw value is taken once
from the parsed message (`raw_items`, no parsing), unfolded, and its raw 8-bit bytes decoded
with the charset chain. Structured readings build on this text (addresses.py, dates.py).
"""

from __future__ import annotations

import re
from email.message import Message

from mailroom.parsing.charsets import clean_line, repair_escaped_bytes
from mailroom.parsing.defects import Defects
from mailroom.parsing.encoded_words import decode_encoded_words

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # RFC 5322 section 2.2.3: unfolding removes CRLF only


class HeaderReader:
    """The header fields of one message, each unfolded and decoded once."""

    def __init__(self, msg: Message, defects: Defects, hint: str | None = None) -> None:
        self._raw: dict[str, list[str]] = {}
        for name, value in msg.raw_items():
            self._raw.setdefault(str(name).strip().lower(), []).append(str(value))
        self._defects = defects
        self._hint = hint
        self._text: dict[str, str] = {}

    def count(self, name: str) -> int:
        return len(self._raw.get(name.lower(), ()))

    def text(self, name: str) -> str:
        """First value, unfolded, raw 8-bit bytes decoded; "" if absent. Encoded words stay."""
        key = name.lower()
        if key not in self._text:
            values = self._raw.get(key)
            self._text[key] = self._unfold(name, values[0]) if values else ""
        return self._text[key]

    def all_text(self, name: str) -> list[str]:
        return [self._unfold(name, value) for value in self._raw.get(name.lower(), ())]

    def decoded(self, name: str) -> str:
        """Unstructured reading (RFC 2047 words decoded), on one clean line."""
        problems: list[str] = []
        text = decode_encoded_words(self.text(name), problems)
        for problem in problems:
            self.defect(f"{name} header: {problem}")
        return clean_line(text).strip()

    def defect(self, text: str) -> None:
        self._defects.add(text)

    def _unfold(self, name: str, value: str) -> str:
        text, problem = repair_escaped_bytes(_LINE_BREAK.sub("", value), self._hint)
        if problem:
            self.defect(f"{name} header: raw 8-bit text, {problem}")
        return text
