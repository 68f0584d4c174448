"""Applying a match: a new request, or a message appended to an existing one.

Runs inside the integration transaction; the caller commits or rolls back all of it.
"""

from django.db import connection

from mailroom.core.models import InboundMail, Tenant
from mailroom.helpdesk import storage
from mailroom.helpdesk.models import Attachment, Message, Request
from mailroom.parsing import ParsedMail


def open_request(mail: InboundMail, parsed: ParsedMail, requester: str) -> Request:
    tenant = mail.channel.tenant
    return Request.objects.create(
        tenant=tenant,
        number=_next_number(tenant),
        channel=mail.channel,
        subject=parsed.subject or "(no subject)",
        requester_email=requester,
        requester_name=parsed.from_name if requester == parsed.from_email else "",
    )


def _next_number(tenant: Tenant) -> int:
    """The tenant's next request number; the UPDATE locks the row, so no two share one."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Tenant._meta.db_table} SET last_request_number = last_request_number + 1"
            " WHERE id = %s RETURNING last_request_number",
            [tenant.id],
        )
        return cursor.fetchone()[0]


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
    if rule != Message.Rule.NEW:
        if request.status == Request.Status.CLOSED:
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
