"""`mailroom parse --json` over every corpus file: an answer for each, fast, never a traceback."""

import json
import subprocess
import time

from conftest import CORPUS, MAILROOM, need

EXPECTATION_SUFFIXES = {".yml", ".json", ".xml", ".md", ".csv"}


def corpus_files() -> list[str]:
    return sorted(
        str(p) for p in CORPUS.rglob("*")
        if p.is_file() and p.suffix.lower() not in EXPECTATION_SUFFIXES
    )


def test_every_corpus_file_parses_or_gets_an_error_code_within_5_s(mailroom):
    need(CORPUS.is_dir(), f"corpus not found at {CORPUS} (set MAILROOM_CORPUS)")
    files = corpus_files()
    assert len(files) > 300
    proc = subprocess.Popen([*MAILROOM, "parse", "--json", *files], env=mailroom.env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    results, slowest, last = [], 0.0, time.monotonic()
    for line in proc.stdout:
        now = time.monotonic()
        slowest, last = max(slowest, now - last), now
        results.append(json.loads(line))
    stderr = proc.stderr.read().decode()
    proc.wait()
    assert "Traceback" not in stderr
    assert [r["file"] for r in results] == files
    for r in results:
        assert r["ok"] or r["error_code"], r["file"]
    assert slowest < 5.0, f"one file took {slowest:.1f} s"
    # Many corpus files are bare reply bodies, not mails (no sender): those are errors.
    zammad = [r for r in results if r["file"].endswith(".box")]
    assert zammad and all(r["ok"] for r in zammad)


def test_parse_gives_the_codes_integration_gives_before_parsing(mailroom, tmp_path):
    empty, big = tmp_path / "empty.eml", tmp_path / "big.eml"
    empty.write_bytes(b"\r\n")
    big.write_bytes(b"Subject: big\r\n\r\n" + b"x" * 2000)
    mailroom.env["MAILROOM_MAX_MAIL_BYTES"] = "1000"
    proc = mailroom("parse", "--json", str(empty), str(big))
    codes = [json.loads(line)["error_code"] for line in proc.stdout.splitlines()]
    assert proc.returncode == 1 and codes == ["empty", "too-large"]
