"""`mailroom requests [--tenant NAME] [--json]`: requests with their messages."""

import json

from django.db.models import Prefetch

from mailroom.core.setup import get_tenant
from mailroom.helpdesk.models import Message, Request


def register(subparsers) -> None:
    p = subparsers.add_parser("requests", help="list requests and their messages")
    p.add_argument("--tenant", help="only this tenant's requests")
    p.add_argument("--json", action="store_true", help="one JSON array on stdout")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    requests = Request.objects.select_related("tenant", "channel").prefetch_related(
        Prefetch("messages", Message.objects.prefetch_related("attachments"))
    )
    if args.tenant:
        requests = requests.filter(tenant=get_tenant(args.tenant))
    rows = [_row(r) for r in requests]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r['tenant']} #{r['number']} [{r['status']}] {r['subject']} "
              f"({r['requester']}, {len(r['messages'])} message(s))")
    return 0


def _row(r: Request) -> dict:
    return {
        "number": r.number,
        "tenant": r.tenant.name,
        "channel": r.channel.inbound_address,
        "subject": r.subject,
        "requester": r.requester_email,
        "requester_name": r.requester_name,
        "status": r.status,
        "created_at": r.created_at.isoformat(),
        "messages": [
            {
                "mail_id": m.mail_id,
                "message_id": m.message_id,
                "from_email": m.from_email,
                "subject": m.subject,
                "rule": m.rule,
                "automatic": m.automatic,
                "defects": m.defects,
                "attachments": [
                    {"filename": a.filename, "safe_name": a.safe_name,
                     "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
                     "inline": a.inline}
                    for a in m.attachments.all()
                ],
            }
            for m in r.messages.all()
        ],
    }
