"""Reads MIME header parameters (Content-Type, Content-Disposition) in linear time.

RFC 2045 section 5.1 syntax, RFC 2231 continuations and charsets, and the RFC 2047 encoded words
that many mailers put in quoted parameter values although RFC 2047 section 5 forbids it. The
stdlib readers are avoided here: policy.default raises IndexError on `name*` (gh-148518) and
compat32 is quadratic on long quoted values.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from mailroom.parsing.charsets import decode_bytes, repair_escaped_bytes
from mailroom.parsing.encoded_words import decode_encoded_words

_PARAM = re.compile(
    r"""
    ;\s*
    ([^\s=;"]+)\s*                           # attribute (may carry RFC 2231 '*N*' suffixes)
    (?:=\s*("(?:[^"\\]|\\.)*"?|[^;]*))?      # quoted string (possibly unterminated) or token
    """,
    re.VERBOSE | re.DOTALL,
)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_MAIN_TOKEN = re.compile(r"[^\s;]*")
_QUOTED_PAIR = re.compile(r"\\(.)", re.DOTALL)
_SECTION = re.compile(r"([^*]+)\*(?:(\d{1,3})(\*?))?")  # name* | name*N | name*N*
_MAX_SECTIONS = 200


def parse_params(value: str, hint: str | None = None) -> tuple[str, dict[str, str], list[str]]:
    """Split 'type/subtype; a=b' into the lower-cased main value, decoded params, problems.

    `hint` is the charset tried for raw 8-bit values after UTF-8 (see charsets.charset_hint).
    """
    value = _LINE_BREAK.sub("", value)  # RFC 5322 section 2.2.3 unfolding
    main, _, rest = value.partition(";")
    plain: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[str, bool]]] = {}
    for match in _PARAM.finditer(";" + rest):
        name, raw = match.group(1).lower(), _unquote(match.group(2) or "")
        section = _SECTION.fullmatch(name)
        if section is None:
            plain.setdefault(name, raw)
        else:
            base, number, star = section.groups()
            # 'name*' is section 0 and encoded; 'name*N*' is encoded, 'name*N' is not.
            index, encoded = (0, True) if number is None else (int(number), star == "*")
            parts = sections.setdefault(base, {})
            if len(parts) < _MAX_SECTIONS:
                parts.setdefault(index, (raw, encoded))
    problems: list[str] = []
    params = {name: _decode_plain(raw, problems, hint) for name, raw in plain.items()}
    for name, parts in sections.items():
        params[name] = _join_sections(parts, problems, hint)  # RFC 2231 beats the plain form
    return _MAIN_TOKEN.match(main.strip()).group().lower(), params, problems


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith('"'):
        raw = raw[1:-1] if len(raw) > 1 and raw.endswith('"') else raw[1:]
        return _QUOTED_PAIR.sub(r"\1", raw)
    return raw


def _decode_plain(raw: str, problems: list[str], hint: str | None) -> str:
    text, problem = repair_escaped_bytes(raw, hint)
    if problem:
        problems.append(problem)
    if "=?" in text:
        text = decode_encoded_words(text, problems)
    return text


def _join_sections(
    parts: dict[int, tuple[str, bool]], problems: list[str], hint: str | None
) -> str:
    """RFC 2231 sections 3 and 4: concatenate in order, charset'language' prefix on section 0."""
    charset = None
    data = bytearray()
    first = min(parts)
    for index in sorted(parts):
        raw, encoded = parts[index]
        if encoded and index == first and raw.count("'") >= 2:
            charset, _language, raw = raw.split("'", 2)
        if encoded:
            data += unquote_to_bytes(raw.encode("utf-8", "surrogateescape"))
        else:
            data += raw.encode("utf-8", "surrogateescape")
    text, problem = decode_bytes(bytes(data), charset or None, hint)
    if problem:
        problems.append(problem)
    return text
