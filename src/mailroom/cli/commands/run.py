"""`mailroom run`: the all-in-one process (receivers, web, and the background work)."""

from mailroom.cli.commands.smtp import receiver_part
from mailroom.cli.hostport import optional_hostport
from mailroom.core.setup import ensure_demo, migrate_database
from mailroom.maintenance.scheduler import SchedulerThread
from mailroom.pipeline.worker import WorkerThread
from mailroom.runner import Part, run_until_signalled
from mailroom.web.server import WebServer


def register(subparsers) -> None:
    p = subparsers.add_parser("run", help="run everything in one process")
    p.add_argument("--smtp", type=optional_hostport, default=("127.0.0.1", 2525),
                   help="HOST:PORT of the SMTP receiver, or off (default 127.0.0.1:2525)")
    p.add_argument("--lmtp", type=optional_hostport, default=("127.0.0.1", 2424),
                   help="HOST:PORT of the LMTP receiver, or off (default 127.0.0.1:2424)")
    p.add_argument("--web", type=optional_hostport, default=("127.0.0.1", 8000),
                   help="HOST:PORT of the web pages, or off (default 127.0.0.1:8000)")
    p.add_argument("--no-worker", action="store_true",
                   help="receive only; integrate with `mailroom integrate` elsewhere")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    migrate_database()
    channel, password_file = ensure_demo()
    parts = []
    if args.smtp:
        parts.append(receiver_part(*args.smtp, lmtp=False))
    if args.lmtp:
        parts.append(receiver_part(*args.lmtp, lmtp=True))
    if not args.no_worker:
        worker = WorkerThread()
        parts.append(Part("integration worker", worker.start, worker.stop))
    scheduler = SchedulerThread()
    parts.append(Part("scheduler", scheduler.start, scheduler.stop))
    if args.web:
        parts.append(_web_part(*args.web))
    run_until_signalled(parts, on_ready=lambda: _welcome(args, channel, password_file))
    return 0


def _web_part(host: str, port: int) -> Part:
    holder: list[WebServer] = []

    def start() -> None:
        holder.append(WebServer(host, port))
        holder[0].start()

    return Part(f"web on {host}:{port}", start, lambda: holder and holder[0].stop())


def _welcome(args, channel, password_file) -> None:
    lines = ["Mailroom is running."]
    if args.smtp:
        lines.append(f"  SMTP: {args.smtp[0]}:{args.smtp[1]}")
    if args.lmtp:
        lines.append(f"  LMTP: {args.lmtp[0]}:{args.lmtp[1]}")
    if channel is not None:
        lines.append(
            f"  Send mail for {channel.public_address} to {channel.inbound_address}"
            + (f" via SMTP {args.smtp[0]}:{args.smtp[1]}" if args.smtp else "")
        )
    if args.web:
        lines.append(f"  Web: http://{args.web[0]}:{args.web[1]}/admin/")
        if password_file.exists():
            lines.append(f"  Log in as admin, password in {password_file}")
    lines.append("Stop with Ctrl-C or SIGTERM.")
    print("\n".join(lines), flush=True)
