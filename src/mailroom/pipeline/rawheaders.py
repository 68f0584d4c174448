"""A last-resort look at raw header lines, for the log of a mail the parser could not read."""

import re

_HEADER_END = re.compile(rb"\r?\n\r?\n")


def raw_header(raw: bytes, name: str, limit: int = 300) -> str:
    """The first `name:` header's unfolded text, decoded leniently and cut to `limit`."""
    head = _HEADER_END.split(raw[:65536], maxsplit=1)[0]
    match = re.search(
        rb"^" + re.escape(name.encode()) + rb":[ \t]*(.*(?:\r?\n[ \t].*)*)", head, re.I | re.M
    )
    if match is None:
        return ""
    text = re.sub(rb"\r?\n[ \t]+", b" ", match.group(1)).decode("utf-8", "replace")
    return "".join(ch for ch in text if ch.isprintable())[:limit].strip()
