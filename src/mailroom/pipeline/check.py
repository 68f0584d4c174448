"""Conformity: can this parsed mail become part of a request? Pure, no database."""

from mailroom.parsing import ParsedMail
from mailroom.pipeline.outcomes import Ignored, NotConforming


def check(parsed: ParsedMail, envelope_sender: str) -> str:
    """Return the requester's address, or raise NotConforming / Ignored."""
    requester = _requester(parsed, envelope_sender)
    if not requester:
        if parsed.is_delivery_report or parsed.automatic:
            raise Ignored(f"automatic mail with no sender ({parsed.automatic or 'report'})")
        raise NotConforming(
            "no-sender",
            "The mail has no usable sender address (no From, Reply-To or Sender header and no "
            "envelope sender), so there is nobody to open a request for.",
        )
    if not (parsed.subject.strip() or parsed.text.strip() or parsed.html or parsed.attachments):
        raise NotConforming(
            "empty", "The mail has no subject, no text and no attachment: nothing to integrate."
        )
    return requester


def _requester(parsed: ParsedMail, envelope_sender: str) -> str:
    """From, else Reply-To, else Sender, else the envelope sender (RFC 5322 3.6.2)."""
    for candidate in (parsed.from_email, *parsed.reply_to, parsed.sender, envelope_sender):
        candidate = (candidate or "").strip().lower()
        if candidate and "@" in candidate:
            return candidate
    return ""
