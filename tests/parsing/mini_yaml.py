"""A small YAML reader for the Zammad expectation files (PyYAML is not a project dependency).

It reads block mappings and sequences, plain/single-quoted/double-quoted scalars over several
lines, block scalars (| and >) and ignores tags such as !ruby/hash:... and !binary. That is all
the `mailNNN.yml` files use; anything else raises ValueError rather than guessing.
"""

from __future__ import annotations

import re

_ESCAPES = {
    "0": "\0",
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "\t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    "e": "\x1b",
    " ": " ",
    '"': '"',
    "/": "/",
    "\\": "\\",
    "N": "\x85",
    "_": "\xa0",
    "L": "\u2028",
    "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_KEY = re.compile(r"([^\s:'\"#-][^:]*?|\"[^\"]*\"|'[^']*'):(?:\s+|$)(.*)")


def load(text: str) -> object:
    lines = text.split("\n")
    if "..." in lines:  # end of the document
        lines = lines[: lines.index("...")]
    return _Reader(lines).document()


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.pos = 0

    def document(self) -> object:
        self._skip_blank()
        if self.pos < len(self.lines) and self.lines[self.pos].startswith("---"):
            self.pos += 1
        return self._node(0)

    def _skip_blank(self) -> None:
        while self.pos < len(self.lines) and not self.lines[self.pos].strip():
            self.pos += 1

    def _peek(self) -> tuple[int, str] | None:
        self._skip_blank()
        if self.pos >= len(self.lines):
            return None
        line = self.lines[self.pos]
        return len(line) - len(line.lstrip(" ")), line.strip()

    def _node(self, min_indent: int) -> object:
        peeked = self._peek()
        if peeked is None or peeked[0] < min_indent:
            return None
        indent, content = peeked
        if content == "-" or content.startswith("- "):
            return self._sequence(indent)
        return self._mapping(indent)

    def _sequence(self, indent: int) -> list:
        items = []
        while (peeked := self._peek()) and peeked[0] == indent and peeked[1].startswith("-"):
            rest = _strip_tag(peeked[1][1:].strip())
            self.pos += 1
            if rest:
                items.append(self._scalar(rest, indent))
            else:
                items.append(self._node(indent + 1))
        return items

    def _mapping(self, indent: int) -> dict:
        result: dict = {}
        while (peeked := self._peek()) and peeked[0] == indent:
            match = _KEY.fullmatch(peeked[1])
            if match is None:
                raise ValueError(f"line {self.pos + 1}: not a mapping entry: {peeked[1]!r}")
            key, rest = match.group(1).strip("'\""), _strip_tag(match.group(2).strip())
            self.pos += 1
            if rest == "":
                child = self._peek()
                nested = child and (child[0] > indent or child[1].startswith("- "))
                result[key] = (
                    self._node(indent if child and child[0] == indent else indent + 1)
                    if nested
                    else None
                )
            else:
                result[key] = self._scalar(rest, indent)
        return result

    def _continuation(self, indent: int) -> list[str]:
        """Following lines that belong to a scalar started on a line indented `indent`."""
        lines = []
        while self.pos < len(self.lines):
            line = self.lines[self.pos]
            if line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
                break
            lines.append(line)
            self.pos += 1
        return lines

    def _scalar(self, first: str, indent: int) -> object:
        if first in ("[]", "{}"):
            return [] if first == "[]" else {}
        if first[0] in "|>":
            return _block_scalar(first, self._continuation(indent))
        if first[0] in "'\"":
            return self._quoted(first, indent)
        lines = [first] + [line.strip() for line in self._continuation(indent)]
        return _fold(lines)

    def _quoted(self, first: str, indent: int) -> str:
        quote = first[0]
        lines = [first[1:]]
        while not _closes(lines[-1] if len(lines) > 1 else first[1:], quote):
            if self.pos >= len(self.lines):
                raise ValueError("unterminated quoted scalar")
            lines.append(self.lines[self.pos].strip())
            self.pos += 1
        lines[-1] = lines[-1][: _closing_index(lines[-1], quote)]
        if quote == "'":
            return _fold(lines).replace("''", "'")
        return _double_quoted(lines)


def _strip_tag(text: str) -> str:
    while text.startswith("!"):
        text = text.partition(" ")[2].strip()
    return text


def _closing_index(text: str, quote: str) -> int:
    i = 0
    while i < len(text):
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            if quote == "'" and text[i + 1 : i + 2] == "'":
                i += 2
                continue
            return i
        i += 1
    return -1


def _closes(text: str, quote: str) -> bool:
    return _closing_index(text, quote) >= 0


def _fold(lines: list[str]) -> str:
    """Flow scalar line folding: a line break is a space, an empty line a newline."""
    out = ""
    pending_space = False
    for index, line in enumerate(lines):
        if index and not line:
            out += "\n"
            pending_space = False
            continue
        if pending_space:
            out += " "
        out += line
        pending_space = True
    return out


def _double_quoted(lines: list[str]) -> str:
    joined = ""
    for index, line in enumerate(lines):
        if index and not joined.endswith("\\"):
            joined += "\n" if not line else " "
        elif index:
            joined = joined[:-1]
        joined += line
    out, i = [], 0
    while i < len(joined):
        char = joined[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        code = joined[i + 1]
        if code in _HEX_ESCAPES:
            width = _HEX_ESCAPES[code]
            out.append(chr(int(joined[i + 2 : i + 2 + width], 16)))
            i += 2 + width
        else:
            out.append(_ESCAPES[code])
            i += 2
    return "".join(out)


def _block_scalar(header: str, lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines.pop()
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    margin = min(indents) if indents else 0
    body = [line[margin:] for line in lines]
    text = "\n".join(body) if header[0] == "|" else _fold(body)
    return text if header.endswith("-") else text + "\n"
