"""Importing raw mails into one channel's transit inbox, in batches."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from mailroom.core.models import Channel
from mailroom.importing.sources import Item
from mailroom.receiving.store import store_mail

BATCH = 200  # mails per transaction: one durable commit per batch, not per mail


@dataclass
class ImportResult:
    imported: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # label, reason


def import_items(
    channel: Channel, items: Iterable[Item], progress: Callable[[int], None] = lambda n: None
) -> ImportResult:
    result = ImportResult()
    batch: list[tuple[str, bytes]] = []
    for label, raw, error in items:
        progress(1)
        if raw is None:
            result.failed.append((label, error))
        elif len(raw) > settings.MAILROOM["MAX_MAIL_BYTES"]:
            result.failed.append((label, f"too large ({len(raw)} bytes)"))
        elif not raw.strip():
            result.failed.append((label, "empty file"))
        else:
            batch.append((label, raw))
        if len(batch) >= BATCH:
            result.imported += _store(channel, batch)
            batch = []
    result.imported += _store(channel, batch)
    return result


def _store(channel: Channel, batch: list[tuple[str, bytes]]) -> int:
    with transaction.atomic():
        for label, raw in batch:
            store_mail(raw, channels=[channel], mail_from="", peer=label[-100:], source="import")
    return len(batch)
