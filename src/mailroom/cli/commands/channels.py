"""`mailroom channels [--json]`: every channel with its state and mail counts."""

import json

from mailroom.core.reports import channel_summaries


def register(subparsers) -> None:
    p = subparsers.add_parser("channels", help="list channels with their state and counts")
    p.add_argument("--json", action="store_true", help="one JSON array on stdout")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    rows = channel_summaries()
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        counts = " ".join(f"{k}={v}" for k, v in row["counts"].items() if v)
        print(
            f"{row['tenant']:<16} {row['public_address']:<32} {row['inbound_address']:<40} "
            f"{row['state']:<8} {counts or 'no mail'}  last={row['last_received_at'] or '-'}"
        )
    return 0
