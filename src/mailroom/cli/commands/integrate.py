"""`mailroom integrate [--until-idle]`: the integration worker in the foreground."""

import signal
import threading

from mailroom.core.models import Channel, InboundMail
from mailroom.pipeline import worker


def register(subparsers) -> None:
    p = subparsers.add_parser("integrate", help="run the integration worker in the foreground")
    p.add_argument("--until-idle", action="store_true",
                   help="exit 0 once nothing is left to integrate")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    tally = worker.run(stop, until_idle=args.until_idle)
    done = ", ".join(f"{n} {state}" for state, n in sorted(tally.by_state.items()))
    print(f"integration: {done or 'nothing to do'}")
    waiting = InboundMail.objects.filter(state=InboundMail.State.RECEIVED)
    blocked = waiting.filter(channel__state=Channel.State.BLOCKED).count()
    retrying = waiting.exclude(channel__state=Channel.State.BLOCKED).count()
    if blocked:
        print(f"{blocked} mail(s) waiting on blocked channels (see `mailroom channels`)")
    if retrying:
        print(f"{retrying} mail(s) waiting for a retry after a fault of ours (see the log)")
    return 0
