"""The Date header as an aware UTC datetime (RFC 5322 section 3.3), or None."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def parse_date(value: str) -> datetime | None:
    """None for a missing or unreadable date; "-0000" (zone unknown) is taken as UTC."""
    if not value.strip():
        return None
    try:
        parsed = parsedate_to_datetime(value)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
