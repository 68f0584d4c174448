"""The worker under stress: killed mid-way, or two at once, every mail is integrated once."""

import json
import os
import signal
import subprocess
import time

import pytest

from conftest import MAILROOM
from mails import mail

INBOUND = "support-load@in.mailroom.localhost"
OTHER = "help-other@in.mailroom.localhost"
MAILS = 150


@pytest.fixture
def mail_folder(mailroom, tmp_path):
    """A channel, and a folder of MAILS mails: each a new request, every 5th a reply."""
    mailroom.ok("tenant", "add", "load")
    mailroom.ok("channel", "add", "load", "support@load.example", "--inbound", INBOUND)
    folder = tmp_path / "mails"
    folder.mkdir()
    for n in range(MAILS):
        raw = mail(subject=f"case {n}", message_id=f"case-{n}@customer.example",
                   headers={"In-Reply-To": f"<case-{n - 1}@customer.example>"} if n % 5 == 4
                   else None)
        (folder / f"{n:04d}.eml").write_bytes(raw)
    return folder


@pytest.fixture
def loaded(mailroom, mail_folder):
    mailroom.ok("import", "--channel", INBOUND, str(mail_folder))
    return mailroom


def _integrated_count(output: bytes) -> int:
    """From `integration: 120 integrated, ...` (or `nothing to do`) to 120 (or 0)."""
    head = output.split(b" integrated")[0].split()
    return int(head[-1]) if head and head[-1].isdigit() else 0


def _outcome(mailroom, tenant: str = "load") -> tuple[dict, list[dict]]:
    channels = json.loads(mailroom.ok("channels", "--json"))
    [counts] = [c["counts"] for c in channels if c["tenant"] == tenant]
    return counts, json.loads(mailroom.ok("requests", "--json", "--tenant", tenant))


def _assert_each_mail_once(mailroom, tenant: str = "load") -> None:
    counts, requests = _outcome(mailroom, tenant)
    assert counts["integrated"] == MAILS and counts["received"] == 0
    message_ids = [m["message_id"] for r in requests for m in r["messages"]]
    assert sorted(message_ids) == sorted(f"case-{n}@customer.example" for n in range(MAILS))
    assert [r["number"] for r in requests] == list(range(1, len(requests) + 1))
    assert len(requests) == MAILS - MAILS // 5


def test_worker_killed_mid_integration_then_restarted_integrates_each_mail_once(loaded):
    log = loaded.home / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen([*MAILROOM, "integrate"], env=loaded.env, stdout=out,
                                  stderr=subprocess.STDOUT)
    loaded.processes.append(worker)  # stopped at teardown whatever happens here
    deadline = time.monotonic() + 60
    integrated = "SELECT count(*) FROM core_inboundmail WHERE state = 'integrated'"
    while loaded.sql(integrated)[0][0] < MAILS // 5:
        assert worker.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.01)
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    assert _outcome(loaded)[0]["received"] > 0, "the kill came too late to prove anything"
    loaded.ok("integrate", "--until-idle")
    _assert_each_mail_once(loaded)


def test_two_workers_never_integrate_a_mail_twice(mailroom, mail_folder):
    """Two tenants' mail, two workers: each tenant's replies still thread in order.

    On PostgreSQL they work in parallel (a tenant each); on SQLite they take turns.
    """
    mailroom.ok("tenant", "add", "other")
    mailroom.ok("channel", "add", "other", "help@other.example", "--inbound", OTHER)
    # Both workers are polling before the mail arrives, so they really compete for it.
    workers = [
        subprocess.Popen([*MAILROOM, "integrate"], env=mailroom.env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    mailroom.processes.extend(workers)
    time.sleep(3)
    mailroom.ok("import", "--channel", INBOUND, str(mail_folder))
    mailroom.ok("import", "--channel", OTHER, str(mail_folder))
    integrated = "SELECT count(*) FROM core_inboundmail WHERE state = 'integrated'"
    deadline = time.monotonic() + 120
    while mailroom.sql(integrated)[0][0] < 2 * MAILS and time.monotonic() < deadline:
        time.sleep(0.2)
    for worker in workers:
        worker.terminate()
    outputs = [w.communicate(timeout=60) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    assert not any(b"will retry" in err for _, err in outputs), outputs
    done = [_integrated_count(out) for out, _ in outputs]
    assert sum(done) == 2 * MAILS, done
    if "MAILROOM_DATABASE_URL" in mailroom.env:
        assert all(done), done  # on PostgreSQL both really worked (SQLite may starve one)
    _assert_each_mail_once(mailroom, "load")
    _assert_each_mail_once(mailroom, "other")
