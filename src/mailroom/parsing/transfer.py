"""Undoes Content-Transfer-Encoding (RFC 2045 section 6) without ever raising.

Broken base64 keeps whatever decodes and says so; unknown encodings hand back the raw bytes.
"""

from __future__ import annotations

import binascii
import re
from email.message import Message

_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]+")
KNOWN = frozenset({"", "7bit", "8bit", "binary", "base64", "quoted-printable"})
UUENCODE = frozenset({"x-uuencode", "uuencode", "uue", "x-uue"})
_ALIASES = {
    "7-bit": "7bit",
    "7bits": "7bit",
    "8-bit": "8bit",
    "8bits": "8bit",
    "quoted": "quoted-printable",
    "quotedprintable": "quoted-printable",
}
_TOKEN = re.compile(r'[\s"]*([A-Za-z0-9_-]*)')


def normalize_cte(raw: str) -> str:
    """The mechanism meant by a Content-Transfer-Encoding value ("quoted-printable;" too)."""
    token = _TOKEN.match(raw).group(1).lower()
    return _ALIASES.get(token, token)


def decode_payload(part: Message, cte: str, cte_raw: str) -> tuple[bytes, str | None]:
    """Decoded body of a leaf part and a problem description if decoding was lossy.

    `cte` is the normalised mechanism, `cte_raw` the header value as sent (lower case).
    """
    try:
        # Base64 is ASCII by definition (RFC 2045 section 6.8): other characters are junk.
        data = part.get_payload() if cte == "base64" else part.get_payload(decode=True)
    except Exception as exc:  # get_payload re-reads Content-Transfer-Encoding with the parser
        return b"", f"body unreadable ({type(exc).__name__})"
    if isinstance(data, str):
        return decode_base64(data.encode("ascii", "ignore"))
    if not isinstance(data, bytes):
        return b"", "body unreadable"
    if cte == "quoted-printable" and cte_raw != cte:
        # The stdlib decodes only the exact value; "quoted-printable;" came back undecoded.
        return binascii.a2b_qp(data), f"Content-Transfer-Encoding {cte_raw[:40]!r} read as {cte}"
    if cte not in KNOWN and cte not in UUENCODE:
        return data, f"unknown Content-Transfer-Encoding {cte_raw[:40]!r}, kept as is"
    return data, None


def decode_base64(data: bytes) -> tuple[bytes, str | None]:
    """Lenient base64: skip junk, decode each run between '=' paddings, keep what decodes."""
    core = data.rstrip(b"= \t\r\n")
    if b"=" not in core:
        try:
            return binascii.a2b_base64(data, strict_mode=False), _junk_problem(data)
        except binascii.Error:
            pass
    # Padding inside the data (concatenated encodings) or a truncated last group.
    decoded = b"".join(_decode_run(run) for run in core.split(b"=") if run)
    return decoded, "invalid base64, kept the part that decodes"


def _decode_run(run: bytes) -> bytes:
    letters = _NOT_BASE64.sub(b"", run)
    if len(letters) % 4 == 1:  # a lone last letter carries no complete byte
        letters = letters[:-1]
    return binascii.a2b_base64(letters + b"=" * (-len(letters) % 4))


def _junk_problem(data: bytes) -> str | None:
    """Whitespace is allowed between base64 lines; anything else is a defect."""
    junk = data.translate(None, _BASE64_ALPHABET + b" \t\r\n")
    return "base64 with invalid characters, they were skipped" if junk else None
