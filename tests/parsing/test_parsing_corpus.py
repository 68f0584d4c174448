"""Every mail of the shared corpora parses in the guarded child without surprise."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

import pytest
from parsing_support import CORPUS, CORPUS_GENERATOR, corpus_or_skip, present_or_skip

from mailroom.parsing import ParsedMail, ParseError, parse_mail, parse_mail_guarded

FOLDERS = ("zammad", "stalwart", "mail-gem", "mime4j", "replies")
EXPECTATION_SUFFIXES = {".yml", ".json", ".xml", ".out", ".md"}
NOT_MAIL = {"COPYING", "README.txt", "ARTISTIC-LICENSE.txt"}
MAX_SECONDS = 5.0


def is_mail(path: Path) -> bool:
    """Everything but expectation files: mime4j's decoded parts are `*_decoded*.txt`."""
    return (
        path.is_file()
        and path.suffix not in EXPECTATION_SUFFIXES
        and path.name not in NOT_MAIL
        and "_decoded" not in path.name
    )


def corpus_files() -> list[Path]:
    return sorted(p for folder in FOLDERS for p in (CORPUS / folder).rglob("*") if is_mail(p))


def _id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


@pytest.mark.parametrize("path", corpus_files() or [None], ids=lambda p: p and _id(p))
def test_corpus_mail_parses_or_fails_with_a_parse_error(path: Path | None) -> None:
    corpus_or_skip()
    assert path is not None, "the corpus folder holds no mail"
    started = time.monotonic()
    try:
        result = parse_mail_guarded(path.read_bytes())
    except ParseError as error:
        assert error.code in ("too-complex", "unparseable")
        assert error.text and "Traceback" not in error.text
    else:
        assert isinstance(result, ParsedMail)
        assert "\x00" not in repr(result.to_json())
    assert time.monotonic() - started < MAX_SECONDS


def test_corpus_is_complete_enough_to_mean_something() -> None:
    corpus_or_skip()
    counts = {
        folder: sum(1 for p in corpus_files() if _id(p).startswith(folder)) for folder in FOLDERS
    }
    assert all(count >= 20 for count in counts.values()), counts


def test_generated_helpdesk_mail_parses_cleanly_and_matches_its_manifest(tmp_path: Path) -> None:
    """The benchmark's realistic mail: no defect, every attachment, the right thread ids."""
    generator = present_or_skip(CORPUS_GENERATOR)
    folder = tmp_path / "mail"
    subprocess.run(
        [sys.executable, str(generator), str(folder), "-n", "80"], check=True, capture_output=True
    )
    with (tmp_path / "mail.manifest.csv").open(newline="") as manifest:
        rows = list(csv.DictReader(manifest))
    assert len(rows) == 80
    for row in rows:
        mail = parse_mail((folder / row["file"]).read_bytes())
        assert mail.defects == [] and mail.automatic == "" and mail.text, row["file"]
        assert mail.message_id == row["msgid"].strip("<>")
        assert len([a for a in mail.attachments if not a.inline]) == int(row["n_attach"])
        assert bool(mail.in_reply_to) == (row["class"] == "reply")
