"""Says whether a mail was sent by a machine (auto-reply, bounce, list) and why.

Automatic mail must never open a storm of requests (docs/BAD_INPUT.md, "Loops and automatic
mail"). The first matching rule gives the reason shown to people; "" means a human wrote it.
"""

from __future__ import annotations

import re

from mailroom.parsing.charsets import clean_line
from mailroom.parsing.headers import HeaderReader

_MACHINE_LOCAL_PART = re.compile(
    r"(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply)(?:[+._-].*)?", re.IGNORECASE
)
_BULK_PRECEDENCE = {"bulk", "list", "junk"}
_MAX_REASON_VALUE = 80


def automatic_reason(
    headers: HeaderReader, report_type: str | None, sender_addresses: list[str]
) -> str:
    """`report_type` is the report-type of a top-level multipart/report, None if there is none."""
    auto_submitted = _token(headers.text("Auto-Submitted"))
    if auto_submitted and auto_submitted != "no":  # RFC 3834 section 5
        return f"Auto-Submitted: {auto_submitted}"
    if report_type is not None:  # RFC 6522: bounces (RFC 3464) and read receipts (RFC 8098)
        kind = "delivery report" if report_type in ("", "delivery-status") else report_type
        return f"multipart/report ({kind})"
    precedence = _token(headers.text("Precedence"))
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in ("X-Auto-Response-Suppress", "X-Loop", "List-Id", "List-Unsubscribe"):
        if headers.count(name):
            return f"{name}: {_short(headers.text(name))}".rstrip(": ")
    if headers.count("Return-Path") and headers.text("Return-Path").strip() == "<>":
        return "Return-Path: <> (null sender)"  # RFC 5321 section 4.5.5
    for address in sender_addresses:
        if _MACHINE_LOCAL_PART.fullmatch(address.split("@", 1)[0]):
            return f"sender {address}"
    return ""


def _token(value: str) -> str:
    return clean_line(value.split(";", 1)[0]).strip().lower()[:_MAX_REASON_VALUE]


def _short(value: str) -> str:
    value = " ".join(clean_line(value).split())
    return value if len(value) <= _MAX_REASON_VALUE else value[: _MAX_REASON_VALUE - 1] + "…"
