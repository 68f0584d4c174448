"""The seed's rule: after N errors in a window a channel is blocked, until a person unblocks it.

Errors are counted from the later of the window's start and the last unblock, so an
unblocked channel starts afresh instead of blocking again on its first new error.
"""

import logging

from django.db import transaction
from django.utils import timezone

from mailroom.core.models import Channel, ChannelEvent, InboundMail

log = logging.getLogger(__name__)


def errors_in_window(channel: Channel) -> int:
    since = timezone.now() - channel.effective_window
    if channel.state_changed_at and channel.state_changed_at > since:
        since = channel.state_changed_at
    return InboundMail.objects.filter(
        channel=channel, state=InboundMail.State.ERROR, processed_at__gte=since
    ).count()


def block_if_over_threshold(channel: Channel) -> bool:
    """Block the channel when its errors reach the threshold; True if it was blocked now."""
    if channel.state == Channel.State.BLOCKED:
        return False
    count = errors_in_window(channel)
    if count < channel.effective_threshold:
        return False
    hours = int(channel.effective_window.total_seconds() // 3600)
    codes = _recent_codes(channel, count)
    reason = f"{count} mails in error within {hours} h ({codes})"
    _set_state(channel, Channel.State.BLOCKED, ChannelEvent.Kind.BLOCKED, reason, actor="")
    log.warning("channel %s blocked: %s", channel.inbound_address, reason)
    return True


def unblock(channel: Channel, actor: str, reason: str = "unblocked by support") -> None:
    with transaction.atomic():
        _set_state(channel, Channel.State.ACTIVE, ChannelEvent.Kind.UNBLOCKED, reason, actor)
    log.info("channel %s unblocked by %s", channel.inbound_address, actor or "?")


def _set_state(channel: Channel, state: str, kind: str, reason: str, actor: str) -> None:
    channel.state = state
    channel.state_reason = reason if state == Channel.State.BLOCKED else ""
    channel.state_changed_at = timezone.now()
    channel.save(update_fields=["state", "state_reason", "state_changed_at"])
    ChannelEvent.objects.create(channel=channel, kind=kind, reason=reason, actor=actor)


def _recent_codes(channel: Channel, count: int) -> str:
    codes = (
        InboundMail.objects.filter(channel=channel, state=InboundMail.State.ERROR)
        .order_by("-processed_at")
        .values_list("error_code", flat=True)[:count]
    )
    tally: dict[str, int] = {}
    for code in codes:
        tally[code] = tally.get(code, 0) + 1
    return ", ".join(f"{code} x{n}" for code, n in sorted(tally.items()))
