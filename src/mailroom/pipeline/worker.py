"""The integration worker: a loop that never dies for one mail (Mailman's runner is the model).

Claims `received` mails of active channels, oldest first, in batches (one transaction,
a savepoint per mail, so a fault rolls back that mail only). A tenant's mail is integrated
by one worker at a time, in arrival order: a reply must never be integrated before (or
beside) the mail it answers, or it would open a new request. On PostgreSQL a worker takes
a transaction-scoped advisory lock on the tenant, then the mails with `SELECT ... FOR
UPDATE SKIP LOCKED`, both held until the batch commits, so any number of workers run in
parallel across tenants. On SQLite the batch's transaction holds the database's write
lock, so workers take turns.
A fault of ours (database down, a bug) leaves the mail `received`, uncounted, and
retried with back-off.
"""

import logging
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from mailroom.core.models import Channel, InboundMail
from mailroom.pipeline.integrate import integrate, parse_all

log = logging.getLogger(__name__)

BACKOFF_S = [5, 30, 120, 600, 3600]  # after the 1st, 2nd, ... fault; then hourly


@dataclass
class Tally:
    by_state: dict[str, int] = field(default_factory=dict)
    faults: int = 0

    def add(self, state: str) -> None:
        self.by_state[state] = self.by_state.get(state, 0) + 1


def _waiting():
    now = timezone.now()
    return (
        InboundMail.objects.select_related("channel__tenant")
        .filter(state=InboundMail.State.RECEIVED, channel__state=Channel.State.ACTIVE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("id")
    )


LOCK_CLASS = 0x4D52  # "MR": our namespace of PostgreSQL advisory locks


def _tenants_waiting() -> list[int]:
    """Tenants with mail due, the one whose oldest waiting mail is oldest first."""
    rows = (
        _waiting().order_by().values("channel__tenant_id").annotate(first=Min("id"))
        .order_by("first").values_list("channel__tenant_id", flat=True)
    )
    return list(rows[:50])


def _lock_tenant(tenant_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_CLASS, tenant_id])
        return cursor.fetchone()[0]


BATCH = 20  # mails claimed at once: fewer queue queries, still a short transaction
BATCH_SECONDS = 2.0


def integrate_batch() -> list[str]:
    """Integrate the oldest waiting mails (of one tenant on PostgreSQL); their new states.

    An empty list means nothing is due. The batch is one transaction, a savepoint per mail.
    """
    with transaction.atomic():
        mails = _claim_postgresql() if connection.vendor == "postgresql" else _claim_sqlite()
        return _integrate_all(_share_channels(mails))


def _claim_postgresql() -> list[InboundMail]:
    for tenant_id in _tenants_waiting():
        if not _lock_tenant(tenant_id):
            continue  # another worker is on this tenant
        claimed = _waiting().filter(channel__tenant_id=tenant_id).select_for_update(
            skip_locked=True, of=("self",)
        )
        if mails := list(claimed[:BATCH]):
            return mails
    return []


def _claim_sqlite() -> list[InboundMail]:
    # The transaction took SQLite's write lock at BEGIN (IMMEDIATE): no other process
    # changes these mails or their channels until it commits, a batch's milliseconds.
    return list(_waiting()[:BATCH])


def _integrate_all(mails: list[InboundMail]) -> list[str]:
    """Integrate a claimed batch, stopping after BATCH_SECONDS: the rest waits its turn.

    The budget bounds how long a batch holds SQLite's write lock (receivers wait for it)
    when its mails are slow to parse: at most the budget plus one parse time limit.
    """
    deadline = time.monotonic() + BATCH_SECONDS
    states = []
    with closing(parse_all(mails)) as verdicts:
        for mail, parsed in zip(mails, verdicts, strict=True):
            states.append(_guarded(mail, parsed))
            if time.monotonic() > deadline:
                break
    return states


def _share_channels(mails: list[InboundMail]) -> list[InboundMail]:
    """One Channel object per channel in a batch, so a block by one mail stops the next."""
    channels: dict[int, Channel] = {}
    for mail in mails:
        mail.channel = channels.setdefault(mail.channel_id, mail.channel)
    return mails


def _guarded(mail: InboundMail, parsed) -> str:
    """Integrate one claimed mail; a fault of ours schedules a retry instead of escaping."""
    if mail.channel.state != Channel.State.ACTIVE:
        return "skipped"  # blocked by an earlier mail of this batch
    try:
        with transaction.atomic():
            return integrate(mail, parsed)
    except Exception:
        log.exception("integrating mail %s failed; will retry", mail.id)
        _schedule_retry(mail.id, mail.attempts)
        return "retry"


def _schedule_retry(mail_id: int, attempts: int) -> None:
    delay = BACKOFF_S[min(attempts, len(BACKOFF_S) - 1)]
    InboundMail.objects.filter(id=mail_id).update(
        attempts=attempts + 1, next_attempt_at=timezone.now() + timedelta(seconds=delay)
    )


def relax_sqlite_durability() -> None:
    """The worker's commits may be lost on power failure: the mail stays `received` and is
    integrated again, so fsync per integration buys nothing here (receiving keeps FULL)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=NORMAL")


def run(stop: threading.Event, *, until_idle: bool = False, idle_wait: float = 0.5) -> Tally:
    """Integrate until `stop` is set (or, with until_idle, until nothing is due)."""
    tally = Tally()
    while not stop.is_set():
        try:
            if connection.connection is None:  # first pass, or reconnecting after a fault
                relax_sqlite_durability()
            states = integrate_batch()
        except Exception:  # the database itself failed: wait, reconnect, go on
            log.exception("worker cannot reach the database; retrying")
            tally.faults += 1
            connection.close()
            stop.wait(min(30, 2 ** min(tally.faults, 5)))
            continue
        if not states:
            if until_idle:
                break
            stop.wait(idle_wait)
        for state in states:
            if state != "skipped":
                tally.add(state)
    return tally


class WorkerThread:
    """The worker as a part of `mailroom run`: stop() lets the current mail finish."""

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker", daemon=True)

    def _run(self) -> None:
        try:
            run(self._stop)
        finally:
            connection.close()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
