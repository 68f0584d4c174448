"""Setting the platform up: the database, tenants, channels, and the demo on first start."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction

from mailroom.core.addresses import derive_inbound, is_address, normalise
from mailroom.core.errors import AlreadyExists, MailroomError, NotFound
from mailroom.core.models import Channel, Tenant

DEMO_TENANT = "demo"
DEMO_PUBLIC_ADDRESS = "contact@demo.example"


def migrate_database() -> None:
    """Create or migrate the database; safe to run any number of times."""
    call_command("migrate", interactive=False, verbosity=0)


def add_tenant(name: str) -> Tenant:
    name = name.strip()
    if not name:
        raise MailroomError("a tenant needs a name")
    try:
        with transaction.atomic():
            return Tenant.objects.create(name=name)
    except IntegrityError:
        raise AlreadyExists(f"tenant {name!r} already exists") from None


def get_tenant(name: str) -> Tenant:
    try:
        return Tenant.objects.get(name=name)
    except Tenant.DoesNotExist:
        raise NotFound(f"no tenant named {name!r} (see `mailroom tenant list`)") from None


def add_channel(tenant_name: str, public_address: str, inbound: str | None = None) -> Channel:
    """A channel for a public address; its inbound address is derived when not given."""
    tenant = get_tenant(tenant_name)
    public = normalise(public_address)
    if not is_address(public):
        raise MailroomError(f"{public_address!r} is not an email address")
    wanted = normalise(inbound) if inbound else None
    if wanted is not None and not is_address(wanted):
        raise MailroomError(f"{inbound!r} is not an email address")
    address = wanted or _free_inbound(derive_inbound(public, settings.MAILROOM["PLATFORM_DOMAIN"]))
    try:
        with transaction.atomic():
            return Channel.objects.create(
                tenant=tenant, public_address=public, inbound_address=address
            )
    except IntegrityError:
        raise AlreadyExists(f"inbound address {address} is already a channel's") from None


def _free_inbound(address: str) -> str:
    """The derived address, or the same with -2, -3... if another channel has it."""
    local, _, domain = address.rpartition("@")
    candidate, n = address, 1
    while Channel.objects.filter(inbound_address=candidate).exists():
        n += 1
        candidate = f"{local}-{n}@{domain}"
    return candidate


def ensure_demo() -> tuple[Channel | None, Path]:
    """On a fresh platform: a demo tenant, its channel and an admin login.

    Returns the demo channel (None if the demo tenant was removed) and the file holding
    the first admin password (readable by the data folder's owner only).
    """
    password_file = settings.HOME / "admin-password"
    user_model = get_user_model()
    if not user_model.objects.exists():
        password = secrets.token_urlsafe(12)
        user_model.objects.create_superuser("admin", "", password)
        password_file.touch(mode=0o600)
        password_file.write_text(password + "\n")
    if not Tenant.objects.exists():
        add_tenant(DEMO_TENANT)
        add_channel(DEMO_TENANT, DEMO_PUBLIC_ADDRESS)
    channel = Channel.objects.filter(tenant__name=DEMO_TENANT).first()
    return channel, password_file
