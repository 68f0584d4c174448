"""The retention purge: raw bytes of finished mail go after the retention period, nothing else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from mailroom.core.models import InboundMail
from mailroom.core.setup import add_channel, add_tenant
from mailroom.maintenance.retention import purge_expired_raw
from mailroom.receiving.store import store_mail

pytestmark = pytest.mark.django_db


def _mail(channel, *, state: str, age_days: float) -> InboundMail:
    [mail_id] = store_mail(b"Subject: x\r\n\r\nbody\r\n", channels=[channel], mail_from="",
                           peer="test", source="import")
    InboundMail.objects.filter(id=mail_id).update(
        state=state, received_at=timezone.now() - timedelta(days=age_days)
    )
    return InboundMail.objects.get(id=mail_id)


@pytest.fixture
def channel():
    add_tenant("acme")
    return add_channel("acme", "contact@acme.example")


@pytest.mark.parametrize(
    ("state", "age_days", "purged"),
    [
        ("integrated", 6, True),
        ("duplicate", 6, True),
        ("ignored", 6, True),
        ("dismissed", 6, True),
        ("integrated", 4, False),   # within the 5 days
        ("error", 30, False),       # may be replayed: kept until someone decides
        ("received", 30, False),    # still waiting (blocked channel): never purged silently
    ],
)
def test_purge_keeps_what_someone_may_still_need(channel, state, age_days, purged):
    mail = _mail(channel, state=state, age_days=age_days)
    assert purge_expired_raw() == int(purged)
    mail.refresh_from_db()
    assert (bytes(mail.raw) == b"") is purged
    assert (mail.raw_purged_at is not None) is purged
    assert mail.size > 0 and mail.sha256  # the log entry keeps its metadata


def test_channel_retention_overrides_the_default(channel):
    channel.retention_days = 1
    channel.save()
    mail = _mail(channel, state="integrated", age_days=2)
    assert purge_expired_raw() == 1
    mail.refresh_from_db()
    assert mail.raw_purged_at is not None
