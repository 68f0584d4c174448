"""Plain text from an HTML body, for mails that have no text/plain part.

Block elements and <br> become line breaks, script/style/head content is dropped, white space is
collapsed as a browser would. A crude regular-expression variant serves HTML too big to parse.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

# fmt: off
_BLOCKS = {
    "address", "article", "aside", "blockquote", "caption", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "tfoot", "thead",
    "tr", "ul",
}
# fmt: on
_CELLS = {"td", "th"}
# Elements a browser shows with a margin: a blank line around them.
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "table", "pre"}
_HIDDEN = {"script", "style", "head", "title", "template", "noscript", "svg", "math"}
_SPACE_RUN = re.compile(r"[ \t\r\n\f]+")  # not U+00A0: &nbsp; is meant
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
# [^<>]* rather than [^>]*: an unclosed "<" must not make the scan quadratic.
_CRUDE_HIDDEN = re.compile(r"<(script|style|head)\b", re.IGNORECASE)
_CRUDE_HIDDEN_END = {
    name: re.compile(rf"</{name}[^<>]*>", re.IGNORECASE) for name in ("script", "style", "head")
}
_CRUDE_BREAK = re.compile(
    r"<(?:br|/?p|/?div|/?tr|/?li|/?h[1-6]|/?table|/?blockquote)\b[^<>]*>", re.IGNORECASE
)
_CRUDE_TAG = re.compile(r"<[^<>]*>")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._hidden = 0
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self.chunks.append("\n")
        elif tag in _BLOCKS:
            self._pre += tag == "pre"
            self.chunks.append("\n\n" if tag in _PARAGRAPHS else "\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _CELLS:
            self.chunks.append(" ")
        elif tag in _HIDDEN:
            self._hidden = max(self._hidden - 1, 0)
        elif tag in _BLOCKS:
            self._pre = max(self._pre - (tag == "pre"), 0)
            self.chunks.append("\n\n" if tag in _PARAGRAPHS else "\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.chunks.append(data if self._pre else _SPACE_RUN.sub(" ", data))


def html_to_text(html: str) -> str:
    """Text of well-formed HTML (our sanitiser's output: html.parser is slow on hostile input)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return _tidy("".join(collector.chunks))


def crude_html_to_text(html: str) -> str:
    """Linear-time fallback for HTML too large or too deep to parse properly."""
    text = _CRUDE_TAG.sub("", _CRUDE_BREAK.sub("\n", _drop_hidden(html)))
    return _tidy(unescape(text))


def _drop_hidden(html: str) -> str:
    kept = []
    pos = 0
    while (start := _CRUDE_HIDDEN.search(html, pos)) is not None:
        kept.append(html[pos : start.start()])
        end = _CRUDE_HIDDEN_END[start.group(1).lower()].search(html, start.end())
        pos = end.end() if end else len(html)
    kept.append(html[pos:])
    return "".join(kept)


def _tidy(text: str) -> str:
    text = text.replace("\u00a0", " ")
    text = _TRAILING_SPACE.sub("\n", text)
    return _BLANK_LINES.sub("\n\n", text).strip()
