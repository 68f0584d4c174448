"""Reading raw mails out of paths: .eml files, folders of them, Maildirs and mbox files.

Each mail comes out as (label, raw bytes) or (label, an error sentence): one unreadable
file is reported and skipped, it does not stop the others.
"""

import mailbox
from collections.abc import Iterator
from pathlib import Path

Item = tuple[str, bytes | None, str]  # label, raw bytes (None on error), error sentence

MAIL_SUFFIXES = {".eml", ".msg", ".box", ".mail"}


def iter_mails(paths: list[str]) -> Iterator[Item]:
    for text in paths:
        path = Path(text)
        if not path.exists():
            yield text, None, "no such file or folder"
        elif _is_maildir(path):
            yield from _maildir(path)
        elif path.is_dir():
            yield from _folder(path)
        elif _is_mbox(path):
            yield from _mbox(path)
        else:
            yield _file(path)


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def _is_mbox(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(5) == b"From "
    except OSError:
        return False


def _file(path: Path) -> Item:
    try:
        return str(path), path.read_bytes(), ""
    except OSError as exc:
        return str(path), None, f"cannot read: {exc.strerror}"


def _folder(path: Path) -> Iterator[Item]:
    for child in sorted(path.rglob("*")):
        if _is_maildir(child):
            yield from _maildir(child)
        elif child.is_file() and child.suffix.lower() in MAIL_SUFFIXES:
            yield from (_mbox(child) if _is_mbox(child) else [_file(child)])


def _maildir(path: Path) -> Iterator[Item]:
    # Files, not mailbox.Maildir messages: the bytes must stay exactly as delivered.
    for sub in ("new", "cur"):
        for child in sorted((path / sub).iterdir()):
            if child.is_file() and not child.name.startswith("."):
                yield _file(child)


def _mbox(path: Path) -> Iterator[Item]:
    box = mailbox.mbox(path, create=False)
    try:
        for n, key in enumerate(box.keys(), 1):
            # get_bytes() drops the "From " separator line and un-escapes nothing else.
            yield f"{path}#{n}", box.get_bytes(key), ""
    finally:
        box.close()
