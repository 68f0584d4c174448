"""Entry point of the `mailroom` console script: parse arguments, run one command.

Every failure ends in one line on stderr and a non-zero exit code, never a traceback
(set MAILROOM_DEBUG=1 to see one).
"""

import argparse
import importlib
import os
import sys

import django
from django.core.exceptions import ImproperlyConfigured

# Each name is a module of mailroom.cli.commands with register(subparsers).
COMMANDS = [
    "init", "tenant", "channel", "channels", "run", "smtp", "import_mail",
    "integrate", "parse", "requests", "errors", "unblock",
]

EX_USAGE, EX_UNAVAILABLE, EX_SOFTWARE, EX_CONFIG = 64, 69, 70, 78  # sysexits.h


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, not usage plus error."""

    def error(self, message: str):
        self.exit(EX_USAGE, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> Parser:
    parser = Parser(prog="mailroom", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"mailroom.cli.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mailroom.settings")
    try:
        django.setup()
    except ImproperlyConfigured as exc:
        return _fail(f"bad configuration: {exc}", EX_CONFIG)
    from django.db import OperationalError

    from mailroom.core.errors import MailroomError

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except MailroomError as exc:
        return _fail(str(exc), exc.exit_code)
    except OperationalError as exc:
        return _fail(f"database unavailable: {_first_line(exc)}", EX_UNAVAILABLE)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:
        if os.environ.get("MAILROOM_DEBUG") == "1":
            raise
        return _fail(f"internal error: {type(exc).__name__}: {_first_line(exc)}", EX_SOFTWARE)


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [""])[0]


def _fail(message: str, code: int) -> int:
    print(f"mailroom: error: {message}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
