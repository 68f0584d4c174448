"""`mailroom import --channel ADDRESS PATH...`: .eml files, folders, Maildir, mbox."""

import sys

from tqdm import tqdm

from mailroom.core.errors import MailroomError
from mailroom.core.lookup import get_channel
from mailroom.importing.importer import import_items
from mailroom.importing.sources import iter_mails


def register(subparsers) -> None:
    p = subparsers.add_parser("import", help="import mail files into a channel's transit inbox")
    p.add_argument("--channel", required=True, help="the channel's inbound or public address")
    p.add_argument("paths", nargs="+", metavar="PATH", help=".eml, folder, Maildir or mbox")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    channel = get_channel(args.channel)
    with tqdm(unit="mail", disable=not sys.stderr.isatty(), desc="importing") as bar:
        result = import_items(channel, iter_mails(args.paths), progress=bar.update)
    for label, reason in result.failed:
        print(f"skipped {label}: {reason}", file=sys.stderr)
    print(
        f"imported {result.imported} mail(s) into {channel.inbound_address}"
        f", {len(result.failed)} skipped"
    )
    if result.failed and not result.imported:
        raise MailroomError("nothing imported")
    return 1 if result.failed else 0
