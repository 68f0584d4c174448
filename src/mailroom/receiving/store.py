"""Storing received mail in the transit inbox: one row per channel, all or nothing."""

import hashlib
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from mailroom.core.addresses import normalise
from mailroom.core.models import Channel, InboundMail


def find_channel(address: str) -> Channel | None:
    """The channel whose inbound address this is, or None (we never relay)."""
    return Channel.objects.filter(inbound_address=normalise(address)).first()


def store_mail(
    raw: bytes,
    *,
    channels: Iterable[Channel],
    mail_from: str,
    peer: str,
    source: str,
) -> list[int]:
    """Commit the raw bytes once per channel in a single transaction; return the new ids.

    The caller answers 250 only after this returns: the commit is the receipt.
    """
    digest = hashlib.sha256(raw).hexdigest()
    now = timezone.now()
    with transaction.atomic():
        return [
            _new_row(raw, digest, channel, mail_from, peer, source, now).id
            for channel in channels
        ]


def _new_row(raw, digest, channel, mail_from, peer, source, now) -> InboundMail:
    return InboundMail.objects.create(
        channel=channel,
        raw=raw,
        size=len(raw),
        sha256=digest,
        mail_from=mail_from,
        rcpt_to=channel.inbound_address,
        peer=peer,
        source=source,
        received_at=now,
    )
