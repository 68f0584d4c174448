"""Turns bytes of unknown trustworthiness into clean text.

Every text decode goes through one chain: the declared charset, UTF-8, cp1252, then UTF-8 with
replacement characters, and says when it had to fall back. Every string we return is cleaned of
NUL, other C0 controls and lone surrogates (PostgreSQL rejects NUL; surrogates cannot be encoded).
"""

from __future__ import annotations

import codecs
import contextlib
import re
from functools import lru_cache

# Labels seen in mail that Python does not know, or that are better read with the superset that
# senders really use (WHATWG Encoding Standard, section 4.2 "Names and labels").
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "x-sjis": "cp932",
    "sjis": "cp932",
    "big5": "big5hkscs",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "unicode-1-1-utf-7": "utf-7",
    "utf8": "utf-8",
}
# Python codecs that are not charsets a mail can honestly declare.
_REFUSED = {"unicode-escape", "raw-unicode-escape", "undefined", "idna", "punycode", "mbcs"}
# Second reading for a declared charset that does not fit: the label's strict form for Latin
# ones, and Shift_JIS (cp932) for Japanese mail labelled ISO-2022-JP but sent 8-bit.
_SAFETY_NET = {
    "cp1252": "latin-1",
    "cp1254": "iso-8859-9",
    "iso2022_jp": "cp932",
    "iso2022_jp_2": "cp932",
}
_DECLARED_CHARSET = re.compile(rb'charset\s*=\s*"?([A-Za-z0-9_.:-]{1,40})', re.IGNORECASE)
_HINT_WINDOW = 64 * 1024
_MULTIBYTE = {"gb18030", "big5hkscs", "cp950", "cp932", "euc_jp", "euc_jis_2004", "cp949"}
_MULTIBYTE |= {"johab", "iso2022_jp", "iso2022_jp_2", "iso2022_kr", "hz"}

_UNSAFE_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]+")
_LINE_BREAKS = re.compile("[\t\r\n]+")
_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")
_REAL_NON_ASCII = re.compile("[\x80-\udc7f\udd00-\U0010ffff]")


@lru_cache(maxsize=256)
def codecs_for(label: str) -> tuple[str, ...]:
    """Python codec names to try, in order, for a declared charset label; () if unknown."""
    name = label.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        codec = codecs.lookup(name).name
        _refuse_bytes_codecs(codec)
    except (LookupError, ValueError):
        return ()
    if codec in _REFUSED:
        return ()
    safety_net = _SAFETY_NET.get(codec)
    return (codec, safety_net) if safety_net else (codec,)


def charset_hint(raw: bytes) -> str | None:
    """A guess for the mail's undeclared 8-bit bytes (raw headers) from its declared charsets.

    An East Asian multibyte charset wins over a Latin one: a SpamAssassin or bounce wrapper
    declares iso-8859-1 around a GB2312 mail whose headers are raw GB2312.
    """
    hint = None
    for match in _DECLARED_CHARSET.finditer(raw, 0, _HINT_WINDOW):
        codecs_found = codecs_for(match.group(1).decode("ascii"))
        if not codecs_found or codecs_found[0] in ("ascii", "utf-8"):
            continue
        if codecs_found[0] in _MULTIBYTE:
            return codecs_found[0]
        hint = hint or codecs_found[0]
    return hint


def _refuse_bytes_codecs(codec: str) -> None:
    """Raise LookupError for bytes-to-bytes codecs such as base64 or zlib."""
    with contextlib.suppress(UnicodeError):  # a text codec that wants more bytes (utf-16)
        b"a".decode(codec)


def decode_bytes(
    data: bytes, declared: str | None = None, hint: str | None = None
) -> tuple[str, str | None]:
    """Decode with the chain; return the text and a defect sentence if the chain fell back.

    `hint` is the charset the rest of the mail declares: undeclared bytes that are not UTF-8
    (raw 8-bit headers, mostly) are tried with it before cp1252.
    """
    tried: tuple[str, ...] = ()
    if declared:
        tried = codecs_for(declared)
        for codec in tried:
            try:
                return data.decode(codec), None
            except UnicodeDecodeError:
                continue
        label = declared[:40]
        problem = f"charset {label!r} " + ("does not fit the bytes" if tried else "unknown")
    else:
        problem = "no charset declared"
    for fallback in ("utf-8", *(codecs_for(hint) if hint else ()), "cp1252"):
        if fallback in tried:
            continue
        try:
            text = data.decode(fallback)
        except UnicodeDecodeError:
            continue
        if not declared and fallback == "utf-8":
            return text, None  # undeclared UTF-8 (RFC 6532) is normal, not a defect
        return text, f"{problem}, decoded as {fallback}"
    return data.decode("utf-8", "replace"), f"{problem}, decoded as utf-8 with replacement"


def repair_escaped_bytes(text: str, hint: str | None = None) -> tuple[str, str | None]:
    """Re-decode raw 8-bit bytes that the email package kept as surrogate escapes."""
    if text.isascii() or not _ESCAPED_BYTES.search(text):
        return text, None
    if not _REAL_NON_ASCII.search(text):
        # Only ASCII and escaped bytes: decode as one byte string, so that multibyte
        # characters whose trail bytes are ASCII (Shift_JIS, GBK) stay whole.
        return decode_bytes(text.encode("utf-8", "surrogateescape"), hint=hint)
    problems: list[str] = []

    def decode_run(match: re.Match[str]) -> str:
        raw = match.group().encode("utf-8", "surrogateescape")
        decoded, problem = decode_bytes(raw, hint=hint)
        if problem:
            problems.append(problem)
        return decoded

    return _ESCAPED_BYTES.sub(decode_run, text), problems[0] if problems else None


def clean_text(text: str) -> str:
    """Remove NUL, C0 controls other than tab/CR/LF, and lone surrogates."""
    return _UNSAFE_CHARS.sub("", text)


def clean_line(text: str) -> str:
    """clean_text for one-line values (names, subjects): line breaks and tabs become a space."""
    return _LINE_BREAKS.sub(" ", _UNSAFE_CHARS.sub("", text))
