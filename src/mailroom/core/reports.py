"""Per-channel figures for `mailroom channels` and the pages: counts by state, last mail."""

from django.db.models import Count, Max

from mailroom.core.models import Channel, InboundMail
from mailroom.pipeline.block import errors_in_window


def channel_summaries() -> list[dict]:
    """One dict per channel, JSON-ready, in channel order."""
    counts: dict[int, dict[str, int]] = {}
    rows = InboundMail.objects.values("channel_id", "state").annotate(n=Count("id"))
    for row in rows:
        counts.setdefault(row["channel_id"], {})[row["state"]] = row["n"]
    last = dict(
        InboundMail.objects.values_list("channel_id").annotate(Max("received_at")).order_by()
    )
    return [
        {
            "tenant": ch.tenant.name,
            "public_address": ch.public_address,
            "inbound_address": ch.inbound_address,
            "state": ch.state,
            "state_reason": ch.state_reason,
            "state_changed_at": ch.state_changed_at.isoformat() if ch.state_changed_at else None,
            # Every mail ever received, whatever became of it; `counts` splits it by state
            # ("received" there means still waiting for integration).
            "received_total": sum(counts.get(ch.id, {}).values()),
            "counts": {s: counts.get(ch.id, {}).get(s, 0) for s in InboundMail.State.values},
            "errors_in_window": errors_in_window(ch),
            "block_threshold": ch.effective_threshold,
            "block_window_hours": int(ch.effective_window.total_seconds() // 3600),
            "last_received_at": last[ch.id].isoformat() if ch.id in last else None,
            "events": _recent_events(ch),
        }
        for ch in Channel.objects.select_related("tenant")
    ]


def _recent_events(channel: Channel, count: int = 10) -> list[dict]:
    """The channel's latest blocks, unblocks, replays and dismissals, newest first."""
    return [
        {"kind": e.kind, "reason": e.reason, "actor": e.actor, "at": e.at.isoformat()}
        for e in channel.events.order_by("-id")[:count]
    ]
