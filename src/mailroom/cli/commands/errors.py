"""`mailroom errors [--tenant NAME] [--channel ADDRESS] [--json]`: the web service log."""

import json

from mailroom.core.lookup import get_channel
from mailroom.core.models import InboundMail
from mailroom.core.setup import get_tenant


def register(subparsers) -> None:
    p = subparsers.add_parser("errors", help="mails in error (the web service log)")
    p.add_argument("--tenant", help="only this tenant's channels")
    p.add_argument("--channel", help="only this channel (inbound or public address)")
    p.add_argument("--json", action="store_true", help="one JSON array on stdout")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    mails = InboundMail.objects.filter(state=InboundMail.State.ERROR).select_related("channel")
    if args.tenant:
        mails = mails.filter(channel__tenant=get_tenant(args.tenant))
    if args.channel:
        mails = mails.filter(channel=get_channel(args.channel))
    rows = [
        {
            "id": m.id,
            "channel": m.channel.inbound_address,
            "received_at": m.received_at.isoformat(),
            "code": m.error_code,
            "text": m.error_text,
            "sender": m.sender or m.mail_from,
            "subject": m.subject,
        }
        for m in mails.defer("raw").order_by("id")
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for r in rows:
        print(f"{r['id']:>6} {r['received_at'][:19]} {r['channel']} {r['code']}: {r['text']}"
              f"  (from {r['sender'] or '?'}, subject {r['subject']!r})")
    if not rows:
        print("no mail in error")
    return 0
