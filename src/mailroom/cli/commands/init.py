"""`mailroom init`: create or migrate the database (idempotent)."""

from django.db import connection

from mailroom.core.setup import migrate_database


def register(subparsers) -> None:
    p = subparsers.add_parser("init", help="create or migrate the database")
    p.set_defaults(handler=handle)


def handle(args) -> int:
    migrate_database()
    print(f"database ready ({connection.vendor}: {connection.settings_dict['NAME']})")
    return 0
