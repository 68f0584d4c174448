"""`mailroom unblock CHANNEL`, `mailroom replay ID...`, `mailroom dismiss ID...`."""

import getpass

from mailroom.core.lookup import get_channel
from mailroom.pipeline import actions


def register(subparsers) -> None:
    p = subparsers.add_parser("unblock", help="let a blocked channel's waiting mail integrate")
    p.add_argument("channel", help="inbound or public address")
    p.set_defaults(handler=handle_unblock)
    p = subparsers.add_parser("replay", help="integrate mails in error again (after a fix)")
    p.add_argument("ids", nargs="+", type=int, metavar="ID")
    p.set_defaults(handler=handle_replay)
    p = subparsers.add_parser("dismiss", help="set mails in error aside")
    p.add_argument("ids", nargs="+", type=int, metavar="ID")
    p.set_defaults(handler=handle_dismiss)


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def handle_unblock(args) -> int:
    channel = get_channel(args.channel)
    actions.unblock_channel(channel, _actor())
    print(f"channel {channel.inbound_address} unblocked; its waiting mail will be integrated")
    return 0


def handle_replay(args) -> int:
    mails = actions.replay(args.ids, _actor())
    print(f"{len(mails)} mail(s) queued for integration again")
    return 0


def handle_dismiss(args) -> int:
    mails = actions.dismiss(args.ids, _actor())
    print(f"{len(mails)} mail(s) dismissed")
    return 0
