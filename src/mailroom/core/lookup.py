"""Finding a channel the way a person names it: by its inbound or its public address."""

from django.db.models import Q

from mailroom.core.addresses import normalise
from mailroom.core.errors import MailroomError, NotFound
from mailroom.core.models import Channel


def get_channel(address: str) -> Channel:
    address = normalise(address)
    matches = list(
        Channel.objects.select_related("tenant").filter(
            Q(inbound_address=address) | Q(public_address=address)
        )
    )
    inbound = [c for c in matches if c.inbound_address == address]
    if inbound:
        return inbound[0]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise NotFound(f"no channel with address {address} (see `mailroom channels`)")
    raise MailroomError(
        f"{address} is the public address of {len(matches)} channels; name the inbound address"
    )
