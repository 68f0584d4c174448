"""The transit inbox keeps raw mail for the channel's retention period (5 days by default).

Only mail whose outcome is final and needs no one's attention is purged: an error or a
mail still waiting keeps its raw bytes (it may be replayed), whatever its age. A purged
mail keeps its row, metadata and log entry.
"""

from django.utils import timezone

from mailroom.core.models import Channel, InboundMail

PURGEABLE = [
    InboundMail.State.INTEGRATED,
    InboundMail.State.DUPLICATE,
    InboundMail.State.IGNORED,
    InboundMail.State.DISMISSED,
]


def purge_expired_raw() -> int:
    """Empty the raw bytes of finished mail older than its channel's retention; the count."""
    now = timezone.now()
    purged = 0
    for channel in Channel.objects.all():
        purged += InboundMail.objects.filter(
            channel=channel,
            state__in=PURGEABLE,
            raw_purged_at__isnull=True,
            received_at__lt=now - channel.effective_retention,
        ).update(raw=b"", raw_purged_at=now)
    return purged
