"""Attachment names: the name as sent (for showing) and a safe name (for saving, downloading).

Sent names arrive as `../../etc/passwd`, with NUL, CR/LF, right-to-left overrides or 300
characters. The safe name keeps the last path component only and drops anything a file system,
a Content-Disposition header or a reader's eye could be fooled by.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata

from mailroom.parsing.charsets import clean_line

MAX_SAFE_NAME = 120
MAX_SENT_NAME = 1000
# Invisible characters that can make "invoice\u202egpj.exe" read as "invoiceexe.jpg".
_INVISIBLE = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0 and C1 controls
    "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"  # bidi, zero-width
)
_RESERVED = re.compile(r'[<>:"|?*]')  # not allowed in Windows file names
_DOTS = re.compile(r"\.{2,}")
_SPACES = re.compile(r"\s+")
_WINDOWS_DEVICES = re.compile(r"(?i)(con|prn|aux|nul|com\d|lpt\d)(\..*)?")
# Names we give parts that were sent without one.
_DEFAULT_NAMES = {
    "message/rfc822": "forwarded-message.eml",
    "message/global": "forwarded-message.eml",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "headers.txt",
}
_EXTENSIONS = {"text/plain": ".txt", "text/html": ".html", "image/jpeg": ".jpg"}


def sent_name(name: str) -> str:
    """The decoded name as sent, on one line, without control characters.

    Capped at 1,000 characters: a name is shown and stored, a megabyte of it is an attack.
    """
    return clean_line(name[:MAX_SENT_NAME]).strip()


def safe_name(name: str, index: int, content_type: str) -> str:
    """A name safe to store and to offer for download; never empty, at most 120 characters."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    base = _SPACES.sub(" ", _RESERVED.sub("_", _INVISIBLE.sub("", base)))
    base = _DOTS.sub(".", base).strip(" ._")
    if _WINDOWS_DEVICES.fullmatch(base):
        base = "_" + base
    if not base:
        return _DEFAULT_NAMES.get(content_type) or f"attachment-{index}{_extension(content_type)}"
    return _shorten(base)


def _extension(content_type: str) -> str:
    known = _EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type, strict=False)
    return known or ".bin"


def _shorten(name: str) -> str:
    if len(name) <= MAX_SAFE_NAME:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and 0 < len(ext) <= 16:
        return stem[: MAX_SAFE_NAME - len(ext) - 1].rstrip(" .") + "." + ext
    return name[:MAX_SAFE_NAME].rstrip(" .")
