"""Throughput of parse_mail and parse_mail_guarded against the stdlib floor (not a pytest file).

    .venv/bin/python tests/parsing/bench_parse.py [CORPUS_DIR] [--rounds 5]

CORPUS_DIR defaults to $MAILROOM_BENCH_CORPUS, else a corpus of 2,000 mails generated with
../shared/bench/make_corpus.py into a temporary folder. Variants run in alternating rounds in one
process; the median and the best msg/s of each are printed, with their ratio to the floor (the
best round is the least disturbed by other work on a shared machine).
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from mailroom.parsing import ParseError, parse_mail, parse_mail_guarded  # noqa: E402

MAKE_CORPUS = REPO.parent / "shared" / "bench" / "make_corpus.py"
FLOOR_HEADERS = ("from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references")


def stdlib_bare(raw: bytes) -> None:
    email.message_from_bytes(raw, policy=email.policy.default)


def stdlib_floor(raw: bytes) -> None:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for name in FLOOR_HEADERS:
        msg.get(name)


def guarded(raw: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_mail_guarded(raw)


def plain(raw: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_mail(raw)


VARIANTS: dict[str, Callable[[bytes], None]] = {
    "stdlib message_from_bytes (policy.default)": stdlib_bare,
    "floor: stdlib parse + reading headers": stdlib_floor,
    "parse_mail": plain,
    "parse_mail_guarded": guarded,
}


def load_corpus(folder: str | None) -> list[bytes]:
    if folder is None:
        folder = os.environ.get("MAILROOM_BENCH_CORPUS")
    if folder is None:
        folder = tempfile.mkdtemp(prefix="mailroom-bench-") + "/corpus"
        subprocess.run([sys.executable, str(MAKE_CORPUS), folder, "-n", "2000"], check=True)
    paths = sorted(Path(folder).glob("*.eml"))
    return [p.read_bytes() for p in paths]


def measure(function: Callable[[bytes], None], corpus: list[bytes]) -> float:
    start = time.perf_counter()
    for raw in corpus:
        function(raw)
    return len(corpus) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    corpus = load_corpus(args.corpus)
    megabytes = sum(map(len, corpus)) / 1e6
    print(f"{len(corpus)} mails, {megabytes:.1f} MB, {args.rounds} alternating rounds")
    guarded(corpus[0])  # start the child process outside the measurement
    results: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.rounds):
        for name, function in VARIANTS.items():
            results[name].append(measure(function, corpus))
    floor = statistics.median(results["floor: stdlib parse + reading headers"])
    best_floor = max(results["floor: stdlib parse + reading headers"])
    print(f"{'':45s} {'median':>8s}          {'best':>8s}")
    for name, rates in results.items():
        rate, best = statistics.median(rates), max(rates)
        print(
            f"{name:45s} {rate:8.0f} msg/s {rate / floor:4.2f}x  {best:8.0f} msg/s "
            f"{best / best_floor:4.2f}x floor"
        )
    overhead = 1 / statistics.median(results["parse_mail_guarded"]) - 1 / statistics.median(
        results["parse_mail"]
    )
    print(f"guarded overhead per mail: {overhead * 1000:.2f} ms")


if __name__ == "__main__":
    main()
