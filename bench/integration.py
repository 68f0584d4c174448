#!/usr/bin/env python3
"""Integration benchmark: Mailroom against the floor, in one run, on the 2,000-mail corpus.

Usage: .venv/bin/python bench/integration.py [-n 2000] [--keep DIR]

Makes the corpus with ../shared/bench/make_corpus.py, then, each in a fresh process:
the floor (stdlib parse with policy.default + one SQLite row per message and attachment,
WAL, synchronous=NORMAL, a commit per mail) and Mailroom (`mailroom import` into the
transit inbox, then `mailroom integrate --until-idle`, timed on its own). Prints mails/s,
the ratio to the floor, peak RSS and whether the result matches the corpus manifest.
Absolute rates drift between machines: compare the ratio.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MAILROOM_SHARED", REPO.parent / "shared"))
INBOUND = "bench-support@in.mailroom.localhost"

FLOOR = r"""
import email, email.policy, sqlite3, sys, pathlib
db = sqlite3.connect(sys.argv[2], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=NORMAL")
db.execute("CREATE TABLE msg(id INTEGER PRIMARY KEY, mid, sender, subject, body)")
db.execute("CREATE TABLE att(id INTEGER PRIMARY KEY, msg, name, ctype, data)")
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.eml")):
    m = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = m.get_body(("plain", "html"))
    db.execute("BEGIN")
    cur = db.execute("INSERT INTO msg(mid, sender, subject, body) VALUES (?,?,?,?)",
                     (m["message-id"], str(m["from"]), str(m["subject"]),
                      body.get_content() if body else ""))
    for part in m.iter_attachments():
        db.execute("INSERT INTO att(msg, name, ctype, data) VALUES (?,?,?,?)",
                   (cur.lastrowid, part.get_filename(), part.get_content_type(),
                    part.get_payload(decode=True)))
    db.execute("COMMIT")
"""


def run_child(cmd: list, env: dict | None = None) -> tuple[float, int, str]:
    """Run to the end; wall seconds, peak RSS in MB (the process plus its own children,
    such as the parser process, each at its peak), its stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        children_peak = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            children_peak = max(children_peak, _children_peak_kb(proc.pid))
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode:
            err.seek(0)
            sys.exit(f"{' '.join(map(str, cmd))} failed:\n{err.read().decode()[-2000:]}")
        out.seek(0)
        return elapsed, (usage.ru_maxrss + children_peak) // 1024, out.read().decode()


def _children_peak_kb(pid: int) -> int:
    """Sum of the peak RSS (VmHWM) of a process's direct children, from /proc."""
    total = 0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return 0
    for child in children:
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1])
    return total


def check_result(requests: list[dict], manifest: Path) -> dict:
    rows = list(csv.DictReader(manifest.open()))
    number_of = {m["message_id"]: r["number"] for r in requests for m in r["messages"]}
    replies = [row for row in rows if row["class"] == "reply"]
    threaded = sum(
        1
        for row in replies
        if number_of.get(row["msgid"].strip("<>")) == int(row["expected_ticket"])
    )
    expected_requests = len(rows) - len(replies)
    return {"requests": len(requests), "expected_requests": expected_requests,
            "replies_threaded": threaded, "replies": len(replies),
            "messages": len(number_of), "mails": len(rows)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=2000)
    ap.add_argument("--keep", help="work in this folder and keep it")
    args = ap.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="mailroom-bench-"))
    corpus, manifest = work / "corpus", work / "corpus.manifest.csv"
    if not corpus.exists():
        subprocess.run([sys.executable, SHARED / "bench" / "make_corpus.py", corpus,
                        "-n", str(args.n)], check=True, stdout=subprocess.DEVNULL)
    mails = len(list(corpus.glob("*.eml")))

    floor_db = work / "floor.sqlite3"
    floor_db.unlink(missing_ok=True)
    floor_s, floor_rss, _ = run_child([sys.executable, "-c", FLOOR, corpus, floor_db])

    env = {**os.environ, "MAILROOM_HOME": str(work / "home")}
    env.pop("MAILROOM_DATABASE_URL", None)
    mailroom = [sys.executable, "-m", "mailroom.cli.main"]
    subprocess.run(["rm", "-rf", str(work / "home")], check=True)
    for cmd in (["init"], ["tenant", "add", "bench"],
                ["channel", "add", "bench", "support@bench.example", "--inbound", INBOUND]):
        run_child([*mailroom, *cmd], env)
    import_s, _, _ = run_child([*mailroom, "import", "--channel", INBOUND, corpus], env)
    integrate_s, rss, out = run_child([*mailroom, "integrate", "--until-idle"], env)
    _, _, requests = run_child([*mailroom, "requests", "--json"], env)
    result = check_result(json.loads(requests), manifest)

    floor_rate, rate = mails / floor_s, mails / integrate_s
    print(f"corpus: {mails} mails in {corpus}")
    print(f"floor:     {floor_rate:7.1f} mails/s ({floor_s:.1f} s, peak RSS {floor_rss} MB)")
    print(f"import:    {mails / import_s:7.1f} mails/s ({import_s:.1f} s)")
    print(f"integrate: {rate:7.1f} mails/s ({integrate_s:.1f} s, peak RSS {rss} MB) "
          f"= {rate / floor_rate:.2f}x the floor")
    print(f"worker said: {out.strip().splitlines()[0] if out.strip() else '-'}")
    print(f"requests created: {result['requests']} (expected {result['expected_requests']}); "
          f"replies threaded: {result['replies_threaded']}/{result['replies']}")
    ok = (result["requests"] == result["expected_requests"]
          and result["replies_threaded"] == result["replies"])
    print("correct" if ok else "INCORRECT")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
