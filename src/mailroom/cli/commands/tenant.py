"""`mailroom tenant add NAME` and `mailroom tenant list`."""

from mailroom.core.models import Tenant
from mailroom.core.setup import add_tenant


def register(subparsers) -> None:
    p = subparsers.add_parser("tenant", help="manage tenants (client companies)")
    actions = p.add_subparsers(dest="action", required=True, parser_class=type(p))
    add = actions.add_parser("add", help="add a tenant")
    add.add_argument("name")
    add.set_defaults(handler=handle_add)
    ls = actions.add_parser("list", help="list tenants")
    ls.set_defaults(handler=handle_list)


def handle_add(args) -> int:
    tenant = add_tenant(args.name)
    print(f"tenant {tenant.name} added")
    return 0


def handle_list(args) -> int:
    for tenant in Tenant.objects.order_by("name"):
        print(tenant.name)
    return 0
