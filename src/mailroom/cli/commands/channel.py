"""`mailroom channel add TENANT PUBLIC_ADDRESS [--inbound ADDRESS]`."""

from mailroom.core.setup import add_channel


def register(subparsers) -> None:
    p = subparsers.add_parser("channel", help="manage a tenant's email channels")
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    add = actions.add_parser("add", help="add a channel for a public address")
    add.add_argument("tenant")
    add.add_argument("public_address")
    add.add_argument("--inbound", help="platform address (derived when omitted)")
    add.set_defaults(handler=handle_add)


def handle_add(args) -> int:
    channel = add_channel(args.tenant, args.public_address, args.inbound)
    print(f"channel {channel.public_address} -> {channel.inbound_address}")
    print(f"ask the client's IT to forward {channel.public_address} to {channel.inbound_address}")
    return 0
