"""Applying a match: a new request, or a message appended to an existing one.

Runs inside the integration transaction; the caller commits or rolls back all of it.
"""

from django.db.models import F

from mailroom.core.models import InboundMail, Tenant
from mailroom.helpdesk import storage
from mailroom.helpdesk.models import Attachment, Message, Request
from mailroom.parsing import ParsedMail


def open_request(mail: InboundMail, parsed: ParsedMail, requester: str) -> Request:
    tenant = mail.channel.tenant
    # The UPDATE takes the tenant row's lock: two workers never get the same number.
    Tenant.objects.filter(id=tenant.id).update(last_request_number=F("last_request_number") + 1)
    number = Tenant.objects.values_list("last_request_number", flat=True).get(id=tenant.id)
    return Request.objects.create(
        tenant=tenant,
        number=number,
        channel=mail.channel,
        subject=parsed.subject or "(no subject)",
        requester_email=requester,
        requester_name=parsed.from_name if requester == parsed.from_email else "",
    )


def add_message(request: Request, mail: InboundMail, parsed: ParsedMail, rule: str) -> Message:
    message = Message.objects.create(
        tenant_id=request.tenant_id,
        request=request,
        mail=mail,
        from_email=parsed.from_email,
        from_name=parsed.from_name,
        to=parsed.to,
        cc=parsed.cc,
        reply_to=parsed.reply_to,
        subject=parsed.subject,
        date=parsed.date,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        text=parsed.text,
        html=parsed.html,
        defects=parsed.defects,
        automatic=parsed.automatic[:200],
        rule=rule,
    )
    _add_attachments(message, parsed)
    if rule != Message.Rule.NEW and request.status == Request.Status.CLOSED:
        request.status = Request.Status.OPEN
    request.save(update_fields=["status", "updated_at"])
    return message


def _add_attachments(message: Message, parsed: ParsedMail) -> None:
    rows = []
    for part in parsed.attachments:
        storage.save(part.sha256, part.content)
        rows.append(
            Attachment(
                message=message,
                filename=part.filename,
                safe_name=part.safe_name,
                content_type=part.content_type[:200],
                size=part.size,
                sha256=part.sha256,
                inline=part.inline,
                content_id=part.content_id,
            )
        )
    Attachment.objects.bulk_create(rows)
