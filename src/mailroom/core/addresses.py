"""Platform addresses: normalising them and deriving a channel's inbound address."""

import re

_UNSAFE = re.compile(r"[^a-z0-9._+-]+")


def normalise(address: str) -> str:
    """Lower-cased address without angle brackets or surrounding blanks."""
    return address.strip().strip("<>").strip().lower()


def is_address(address: str) -> bool:
    """A plausible addr-spec: one @, a local part and a dotted or single-label domain."""
    local, at, domain = address.rpartition("@")
    return bool(at and local and domain) and " " not in address and "@" not in local


def derive_inbound(public_address: str, platform_domain: str) -> str:
    """`contact@client.fr` -> `client-contact@<platform domain>`, as in the seed's example."""
    local, _, domain = normalise(public_address).rpartition("@")
    company = domain.split(".")[0]
    name = _UNSAFE.sub("-", f"{company}-{local}").strip("-.")
    return f"{name}@{platform_domain}"
