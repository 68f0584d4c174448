"""Flattens the parsed MIME tree into a list of parts, reading each part's MIME fields once.

Parts are numbered like IMAP body sections (RFC 3501 section 6.4.5): "1", "2.1", ...; the
top-level message is "". Parts inside a message/* part (a forwarded mail or a bounce) are
visited only for their defects: the forwarded mail is one attachment, not part of our body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from mailroom.parsing.charsets import clean_line
from mailroom.parsing.defects import Defects
from mailroom.parsing.errors import TooComplex
from mailroom.parsing.model import ParseLimits
from mailroom.parsing.params import parse_params
from mailroom.parsing.transfer import normalize_cte

_MIME_FIELDS = (
    "content-type",
    "content-disposition",
    "content-transfer-encoding",
    "content-id",
    "content-location",
)
# RFC 2045 section 5.1: type "/" subtype, both tokens.
_MIME_TYPE = re.compile(r"[a-z0-9!#$%&'*+.^_`{|}~-]+/[a-z0-9!#$%&'*+.^_`{|}~-]+")
_LINE_BREAK = re.compile(r"[\r\n]")
Branches = tuple[tuple[int, int], ...]  # (id of a multipart/alternative, branch index) pairs


@dataclass
class Part:
    msg: Message
    section: str  # "" for the top-level message
    content_type: str  # lower-case type/subtype, RFC 2045 defaults applied
    params: dict[str, str]
    disposition: str  # lower-case, "" if none
    disposition_params: dict[str, str]
    cte: str  # Content-Transfer-Encoding mechanism, normalised
    cte_raw: str  # Content-Transfer-Encoding as sent, unfolded, lower case
    content_id: str  # without <>
    location: str  # Content-Location (RFC 2557), "" if none
    alternatives: Branches = ()
    resource: bool = False  # a non-root part of a multipart/related (RFC 2387 section 3.2)

    @property
    def where(self) -> str:
        return f"part {self.section}" if self.section else "the message"

    @property
    def filename(self) -> str:
        """Sent name: Content-Disposition filename, else the Content-Type name (RFC 2183 2.3)."""
        return self.disposition_params.get("filename") or self.params.get("name") or ""


@dataclass(frozen=True)
class _Pending:
    msg: Message
    section: str
    depth: int
    alternatives: Branches
    resource: bool


def flatten(root: Message, defects: Defects, limits: ParseLimits, hint: str | None) -> list[Part]:
    """All parts in document order (containers before their children)."""
    parts: list[Part] = []
    stack = [_Pending(root, "", 0, (), False)]
    while stack:
        pending = stack.pop()
        _check_caps(len(parts), pending.depth, limits)
        part = read_part(pending.msg, pending.section, defects, hint)
        part.alternatives, part.resource = pending.alternatives, pending.resource
        parts.append(part)
        # Defects of the top-level message need no "in part ..." suffix.
        defects.add_email_defects(pending.msg.defects, part.where if pending.section else "")
        if not pending.msg.is_multipart():
            _read_container_without_parts_as_text(part, defects)
        elif part.content_type.startswith("message/"):
            _collect_nested_defects(pending.msg.get_payload(), part, defects, limits)
        else:
            stack.extend(reversed(_children(part, pending)))
    return parts


def _children(part: Part, pending: _Pending) -> list[_Pending]:
    children = []
    for index, child in enumerate(part.msg.get_payload(), 1):
        branches = pending.alternatives
        if part.content_type == "multipart/alternative":
            branches = (*branches, (id(part.msg), index))
        resource = pending.resource or (part.content_type == "multipart/related" and index > 1)
        section = f"{pending.section}.{index}" if pending.section else str(index)
        children.append(_Pending(child, section, pending.depth + 1, branches, resource))
    return children


def _read_container_without_parts_as_text(part: Part, defects: Defects) -> None:
    # The parser found no usable boundary: RFC 2046 section 5.1.1 and RFC 2045 section 5.2
    # leave the body as text, which is also what a human can still read.
    if part.content_type.startswith("multipart/"):
        defects.add(f"{part.content_type} without parts in {part.where}, read as text")
        part.content_type = "text/plain"


def _check_caps(count: int, depth: int, limits: ParseLimits) -> None:
    # The pre-scan is an estimate; these are the parser's real numbers.
    if depth > limits.max_depth:
        raise TooComplex(f"The message is nested more than {limits.max_depth} levels deep.")
    if count >= limits.max_parts:
        raise TooComplex(f"The message has more than {limits.max_parts} MIME parts.")


def _collect_nested_defects(
    payload: list, part: Part, defects: Defects, limits: ParseLimits
) -> None:
    stack = [(m, 1) for m in payload if isinstance(m, Message)]
    seen = 0
    while stack and seen < limits.max_parts:
        msg, depth = stack.pop()
        seen += 1
        defects.add_email_defects(msg.defects, f"{part.where} (embedded message)")
        inner = msg.get_payload() if msg.is_multipart() else None
        if inner and depth < limits.max_depth:
            stack.extend((m, depth + 1) for m in inner if isinstance(m, Message))


def read_part(msg: Message, section: str, defects: Defects, hint: str | None = None) -> Part:
    """Read the MIME fields of one part from its raw headers (first occurrence wins)."""
    fields: dict[str, str] = {}
    for name, value in msg.raw_items():
        key = str(name).strip().lower()
        if key in _MIME_FIELDS and key not in fields:
            fields[key] = str(value)
    where = f"part {section}" if section else "the message"
    mime_type, params, problems = parse_params(fields.get("content-type", ""), hint)
    if not _MIME_TYPE.fullmatch(mime_type):
        if mime_type:
            problems.append(f"invalid Content-Type {clean_line(mime_type)[:40]!r}")
        mime_type = msg.get_default_type()  # RFC 2045 section 5.2
    disposition, disposition_params, more = parse_params(
        fields.get("content-disposition", ""), hint
    )
    for problem in problems + more:
        defects.add(f"{problem} in {where}")
    cte_raw = _LINE_BREAK.sub("", fields.get("content-transfer-encoding", "")).lower()
    return Part(
        msg=msg,
        section=section,
        content_type=mime_type,
        params=params,
        disposition=disposition,
        disposition_params=disposition_params,
        cte=normalize_cte(cte_raw),
        cte_raw=cte_raw,
        content_id=_field_text(fields, "content-id").strip("<>").strip(),
        location=_field_text(fields, "content-location"),
    )


def _field_text(fields: dict[str, str], name: str) -> str:
    return "".join(clean_line(fields.get(name, "")).split())
