"""Helpers of the parser tests: where the shared data is, and skipping without it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("MAILROOM_CORPUS", REPO.parent / "shared" / "corpus"))
CORPUS_GENERATOR = REPO.parent / "shared" / "bench" / "make_corpus.py"


def present_or_skip(path: Path) -> Path:
    """`path`, or a visible skip when it is absent (a failure on CI, where it must exist)."""
    if not path.exists():
        reason = f"shared test data not found at {path} (set MAILROOM_CORPUS for the corpus)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def corpus_or_skip(*parts: str) -> Path:
    return present_or_skip(CORPUS.joinpath(*parts))
