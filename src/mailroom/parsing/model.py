"""Plain data objects returned by the parser: no Django, no database, JSON-friendly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ParseLimits:
    """Caps checked before and during parsing; over a cap the mail is TooComplex."""

    max_header_bytes: int = 256 * 1024  # total header block of the top-level message
    max_header_line: int = 64 * 1024  # one unfolded header, anywhere in the mail
    max_depth: int = 50  # MIME nesting (multipart + message/rfc822)
    max_parts: int = 2000
    max_html_bytes: int = 2 * 1024 * 1024  # above: no sanitising, text only, defect
    timeout_s: float = 10.0  # wall-clock limit of parse_mail_guarded


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str  # decoded name as sent, control characters removed; may be ""
    safe_name: str  # safe to show and to offer for download; never empty
    content_type: str  # lower-case "type/subtype"
    size: int
    sha256: str
    inline: bool
    content_id: str  # without <>
    content: bytes = field(repr=False)

    def to_json(self) -> dict:
        return {
            "filename": self.filename,
            "safe_name": self.safe_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
            "inline": self.inline,
            "content_id": self.content_id,
        }


@dataclass(frozen=True)
class ParsedMail:
    from_email: str
    from_name: str
    reply_to: list[str]
    sender: str
    to: list[str]
    cc: list[str]
    subject: str
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    date: datetime | None  # aware, UTC
    text: str
    html: str  # sanitised
    attachments: list[ParsedAttachment]
    defects: list[str]
    automatic: str  # "" for a human mail, else why it is automatic
    is_delivery_report: bool

    def to_json(self) -> dict:
        """Every field, JSON-safe; attachment contents are left out."""
        return {
            "from_email": self.from_email,
            "from_name": self.from_name,
            "reply_to": list(self.reply_to),
            "sender": self.sender,
            "to": list(self.to),
            "cc": list(self.cc),
            "subject": self.subject,
            "message_id": self.message_id,
            "in_reply_to": list(self.in_reply_to),
            "references": list(self.references),
            "date": self.date.isoformat() if self.date else None,
            "text": self.text,
            "html": self.html,
            "attachments": [a.to_json() for a in self.attachments],
            "defects": list(self.defects),
            "automatic": self.automatic,
            "is_delivery_report": self.is_delivery_report,
        }
