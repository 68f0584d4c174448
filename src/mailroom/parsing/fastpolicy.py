"""policy.default, with the header objects it builds cached by (name, value).

The feedparser asks each part for its content type about ten times while it builds the
tree, and policy.default re-parses the Content-Type field on every ask: about a third of
the parsing time on ordinary mail. Header objects are immutable, so one parse can serve
every ask, in this mail and the next (the same Content-Type values recur across mail).
"""

from __future__ import annotations

from email.policy import EmailPolicy
from functools import lru_cache

CACHED_VALUE_MAX = 2048  # long values (big To lists) are rare and would bloat the cache


class CachingPolicy(EmailPolicy):
    def header_fetch_parse(self, name, value):
        if hasattr(value, "name") or len(value) > CACHED_VALUE_MAX:
            return super().header_fetch_parse(name, value)
        return _parse(self, name, value)


@lru_cache(maxsize=512)
def _parse(policy: EmailPolicy, name: str, value: str):
    # A field that raises is not cached: lru_cache keeps only results.
    return EmailPolicy.header_fetch_parse(policy, name, value)


caching_default = CachingPolicy()
