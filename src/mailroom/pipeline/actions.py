"""What a person does about integration: unblock a channel, replay or dismiss an error.

Each action is recorded as a ChannelEvent with who did it and why.
"""

from django.db import transaction

from mailroom.core.errors import MailroomError, NotFound
from mailroom.core.models import Channel, ChannelEvent, InboundMail
from mailroom.pipeline import block


def unblock_channel(channel: Channel, actor: str) -> None:
    if channel.state != Channel.State.BLOCKED:
        raise MailroomError(f"channel {channel.inbound_address} is not blocked")
    block.unblock(channel, actor)


def replay(mail_ids: list[int], actor: str) -> list[InboundMail]:
    """Put errors back in the queue, to be integrated again (after a fix)."""
    mails = _errors(mail_ids)
    for mail in mails:
        if mail.raw_purged_at is not None:
            raise MailroomError(f"mail {mail.id} cannot be replayed: its raw bytes were purged")
    with transaction.atomic():
        for mail in mails:
            _record(mail, ChannelEvent.Kind.REPLAYED, actor)
            mail.state = InboundMail.State.RECEIVED
            mail.attempts = 0
            mail.next_attempt_at = None
            mail.save(update_fields=["state", "attempts", "next_attempt_at"])
    return mails


def dismiss(mail_ids: list[int], actor: str) -> list[InboundMail]:
    """Mark errors as seen and set aside: they leave the log and stop counting toward a block."""
    mails = _errors(mail_ids)
    with transaction.atomic():
        for mail in mails:
            _record(mail, ChannelEvent.Kind.DISMISSED, actor)
            mail.state = InboundMail.State.DISMISSED
            mail.save(update_fields=["state"])
    return mails


def _errors(mail_ids: list[int]) -> list[InboundMail]:
    mails = {m.id: m for m in InboundMail.objects.select_related("channel").filter(id__in=mail_ids)}
    for mail_id in mail_ids:
        if mail_id not in mails:
            raise NotFound(f"no mail with id {mail_id}")
        if mails[mail_id].state != InboundMail.State.ERROR:
            raise MailroomError(f"mail {mail_id} is {mails[mail_id].state}, not in error")
    return [mails[i] for i in dict.fromkeys(mail_ids)]


def _record(mail: InboundMail, kind: str, actor: str) -> None:
    ChannelEvent.objects.create(
        channel=mail.channel,
        kind=kind,
        reason=f"mail {mail.id} ({mail.error_code}: {mail.error_text})"[:1000],
        actor=actor,
    )
