"""Chooses the body parts of a mail and turns them into `text` and sanitised `html`.

Text comes from text/plain; HTML from text/html; parts shown one after another (Apple Mail's
"text, image, text" in multipart/mixed) are joined. Within a multipart/alternative only one
branch is used (RFC 2046 section 5.1.4). Everything that is not body becomes an attachment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mailroom.parsing.charsets import clean_text, decode_bytes
from mailroom.parsing.defects import Defects
from mailroom.parsing.html_text import crude_html_to_text, html_to_text
from mailroom.parsing.sanitize import sanitize_html, too_deep
from mailroom.parsing.structure import Part
from mailroom.parsing.transfer import decode_payload

# Other renderings of the same content, sent beside text/plain and text/html.
_ALTERNATIVE_RENDERINGS = {"text/enriched", "text/richtext", "text/watch-html", "text/x-amp-html"}
_NEWLINES = re.compile(r"\r\n?")


@dataclass
class Layout:
    plain: list[Part] = field(default_factory=list)
    html: list[Part] = field(default_factory=list)
    attachments: list[Part] = field(default_factory=list)


def lay_out(parts: list[Part]) -> Layout:
    """Sort leaf parts (and message/* parts) into body text, body HTML and attachments."""
    layout = Layout()
    for part in parts:
        if part.msg.is_multipart() and not part.content_type.startswith("message/"):
            continue  # a multipart container: its children are in `parts`
        kind = _body_kind(part)
        if kind is None:
            if not (part.alternatives and _is_unnamed_rendering(part)):
                layout.attachments.append(part)
            continue
        chosen = layout.plain if kind == "plain" else layout.html
        if not chosen or _same_branch(chosen[0], part):
            chosen.append(part)
    return layout


def _body_kind(part: Part) -> str | None:
    if part.disposition == "attachment" or part.resource:
        return None
    if part.filename and part.section:  # a lone text part is the body, whatever its name
        return None
    return {"text/plain": "plain", "text/html": "html"}.get(part.content_type)


def _is_unnamed_rendering(part: Part) -> bool:
    return part.content_type in _ALTERNATIVE_RENDERINGS and not part.filename


def _same_branch(first: Part, other: Part) -> bool:
    """False when both sit in different branches of one multipart/alternative."""
    branches = dict(first.alternatives)
    return all(branches.get(node, branch) == branch for node, branch in other.alternatives)


@dataclass(frozen=True)
class Bodies:
    text: str
    html: str


def read_bodies(layout: Layout, max_html_bytes: int, defects: Defects) -> Bodies:
    text = "\n".join(_part_text(part, defects) for part in layout.plain).strip()
    html_parts = [_part_text(part, defects) for part in layout.html]
    raw_html = "\n".join(html_parts)
    if not raw_html.strip():
        return Bodies(text, "")
    if len(raw_html.encode("utf-8", "surrogatepass")) > max_html_bytes:
        defects.add(f"HTML body larger than {max_html_bytes // 1024} KB, not shown as HTML")
        return Bodies(text or crude_html_to_text(raw_html), "")
    if too_deep(raw_html):
        defects.add("HTML body nested too deep, not shown as HTML")
        return Bodies(text or crude_html_to_text(raw_html), "")
    clean = sanitize_html(raw_html)
    if clean.remote_images:
        defects.add(f"remote images removed: {clean.remote_images}")
    return Bodies(text or html_to_text(clean.html), clean_text(clean.html).strip())


def _part_text(part: Part, defects: Defects) -> str:
    data, problem = decode_payload(part.msg, part.cte, part.cte_raw)
    if problem:
        defects.add(f"{problem} in {part.where}")
    text, problem = decode_bytes(data, part.params.get("charset"))
    if problem:
        defects.add(f"{problem} in {part.where}")
    return clean_text(_NEWLINES.sub("\n", text))
