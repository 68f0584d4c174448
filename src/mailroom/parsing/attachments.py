"""Builds ParsedAttachment objects from the parts that are not the body.

A forwarded message (message/rfc822) or a delivery report stays one attachment holding the
bytes of the embedded message, named after its Subject. TNEF (winmail.dat) and other opaque
formats are kept as they are.
"""

from __future__ import annotations

import email.policy
import hashlib
import io
import re
from binascii import a2b_qp
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesHeaderParser

from mailroom.parsing.defects import Defects
from mailroom.parsing.filenames import safe_name, sent_name
from mailroom.parsing.headers import HeaderReader
from mailroom.parsing.model import ParsedAttachment
from mailroom.parsing.structure import Part
from mailroom.parsing.transfer import decode_base64, decode_payload

# Write embedded messages back as they came: no refolding (which would re-parse every header
# with the same parser that may choke on them), 8-bit bytes restored.
_AS_RECEIVED = email.policy.default.clone(refold_source="none", linesep="\r\n")
_HEADERS_ONLY = email.policy.compat32
_LOOKS_LIKE_FILE = re.compile(r"[\w .()-]{1,100}\.[A-Za-z][A-Za-z0-9]{0,4}")


def build_attachment(
    part: Part, index: int, defects: Defects, hint: str | None = None
) -> ParsedAttachment:
    """`hint` is the mail's charset guess for raw 8-bit headers (charsets.charset_hint)."""
    if part.msg.is_multipart():
        content = _embedded_bytes(part, defects)
    else:
        content, problem = decode_payload(part.msg, part.cte, part.cte_raw)
        if problem:
            defects.add(f"{problem} in {part.where}")
    name = sent_name(part.filename)
    if not name and part.content_type in ("message/rfc822", "message/global"):
        name = _subject_name(content, hint)
    inline = (
        part.content_type.startswith("image/")
        and part.disposition != "attachment"
        and bool(part.content_id or part.disposition == "inline")
    )
    return ParsedAttachment(
        filename=name,
        safe_name=safe_name(name or _unsent_name(part), index, part.content_type),
        content_type=part.content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        inline=inline,
        content_id=part.content_id,
        content=content,
    )


def _unsent_name(part: Part) -> str:
    """A name for an unnamed part from Content-Location or a Content-ID like 'logo.png@x'."""
    location = part.location.rsplit("/", 1)[-1].split("?", 1)[0]
    if _LOOKS_LIKE_FILE.fullmatch(location):
        return location
    local = part.content_id.split("@", 1)[0]
    return local if _LOOKS_LIKE_FILE.fullmatch(local) else ""


def _embedded_bytes(part: Part, defects: Defects) -> bytes:
    """The message(s) inside a message/* part, serialised again without refolding."""
    chunks = []
    for inner in part.msg.get_payload():
        if not isinstance(inner, Message):
            continue
        out = io.BytesIO()
        try:
            BytesGenerator(out, mangle_from_=False, policy=_AS_RECEIVED).flatten(inner)
        except Exception as exc:  # the generator re-reads headers and may hit the same bugs
            defects.add(f"embedded message in {part.where} not kept ({type(exc).__name__})")
            return b""
        chunks.append(out.getvalue())
    content = b"".join(chunks)
    # RFC 2046 section 5.2.1 forbids encoding message/rfc822, but it is sent: the parser then
    # saw the encoded text as a body without headers. Undo the encoding here.
    if part.cte in ("base64", "quoted-printable"):
        content = decode_base64(content)[0] if part.cte == "base64" else a2b_qp(content)
        defects.add(f"{part.cte}-encoded {part.content_type} in {part.where}")
    return content


def _subject_name(content: bytes, hint: str | None) -> str:
    """RFC 2046 gives forwarded messages no name: use their Subject, as mail clients do."""
    try:
        headers = BytesHeaderParser(policy=_HEADERS_ONLY).parsebytes(content[:65536])
    except Exception:  # same parser, same bugs: a name is not worth failing for
        return "forwarded-message.eml"
    subject = sent_name(HeaderReader(headers, Defects(), hint).decoded("Subject"))[:100].strip()
    return f"{subject}.eml" if subject else "forwarded-message.eml"
