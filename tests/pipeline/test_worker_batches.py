"""Batches cut short by their time budget: the rest waits, and no mail gets another's content."""

import pytest

from mailroom.core.setup import add_channel, add_tenant
from mailroom.helpdesk.models import Request
from mailroom.pipeline import worker
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
