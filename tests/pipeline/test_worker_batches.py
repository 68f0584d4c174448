"""Batches cut short by their time budget: the rest waits, and no mail gets another's content."""

import pytest
from django.utils import timezone

from mailroom.core.models import InboundMail
from mailroom.core.setup import add_channel, add_tenant
from mailroom.helpdesk.models import Request
from mailroom.pipeline import apply, worker
from mailroom.receiving.store import store_mail
from mails import mail

pytestmark = pytest.mark.django_db(transaction=True)


def test_batch_over_its_time_budget_leaves_the_rest_waiting_intact(monkeypatch):
    add_tenant("acme")
    channel = add_channel("acme", "contact@acme.example")
    for n in range(5):
        store_mail(mail(subject=f"case {n}"), channels=[channel], mail_from="", peer="t",
                   source="import")
    monkeypatch.setattr(worker, "BATCH_SECONDS", 0.0)  # every batch stops after one mail
    rounds = []
    while states := worker.integrate_batch():
        rounds.append(states)
    assert rounds == [["integrated"]] * 5
    # The next mail was in the parser when each batch stopped: it must not have been
    # taken as the answer for another mail.
    subjects = list(Request.objects.order_by("number").values_list("subject", flat=True))
    assert subjects == [f"case {n}" for n in range(5)]


def test_fault_of_ours_leaves_mail_waiting_uncounted_and_retried(monkeypatch):
    add_tenant("acme")
    channel = add_channel("acme", "contact@acme.example")
    for n in range(12):  # more than the block threshold
        store_mail(mail(subject=f"case {n}"), channels=[channel], mail_from="", peer="t",
                   source="import")

    def bug(*args, **kwargs):
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(apply, "add_message", bug)
    assert worker.integrate_batch() == ["retry"] * 12
    assert worker.integrate_batch() == []  # backing off: nothing due yet
    waiting = InboundMail.objects.filter(channel=channel)
    assert set(waiting.values_list("state", "attempts", "error_code")) == {("received", 1, "")}
    assert all(m.next_attempt_at > timezone.now() for m in waiting)
    assert Request.objects.count() == 0  # the failed mail's request was rolled back too
    channel.refresh_from_db()
    assert channel.state == "active"  # our faults never count toward a block

    monkeypatch.undo()
    waiting.update(next_attempt_at=timezone.now())  # the back-off has passed
    assert worker.integrate_batch() == ["integrated"] * 12
    assert Request.objects.count() == 12
