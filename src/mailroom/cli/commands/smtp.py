"""`mailroom smtp [--listen HOST:PORT] [--lmtp]`: one receiver alone, for scale-out."""

from django.conf import settings

from mailroom.cli.hostport import hostport
from mailroom.receiving.server import ReceiverController
from mailroom.runner import Part, run_until_signalled


def register(subparsers) -> None:
    p = subparsers.add_parser("smtp", help="run an SMTP (or LMTP) receiver alone")
    p.add_argument("--listen", type=hostport, default=None, help="HOST:PORT (default :2525)")
    p.add_argument("--lmtp", action="store_true", help="speak LMTP instead of SMTP")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    host, port = args.listen or ("127.0.0.1", 2424 if args.lmtp else 2525)
    part = receiver_part(host, port, lmtp=args.lmtp)
    run_until_signalled([part], on_ready=lambda: print(f"{part.name} ready", flush=True))
    return 0


def receiver_part(host: str, port: int, *, lmtp: bool) -> Part:
    controller = ReceiverController(
        host, port, lmtp=lmtp, max_bytes=settings.MAILROOM["MAX_MAIL_BYTES"]
    )
    name = f"{'LMTP' if lmtp else 'SMTP'} on {host}:{port}"
    return Part(name, controller.start, controller.stop)
