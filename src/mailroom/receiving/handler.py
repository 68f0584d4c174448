"""The aiosmtpd handler: a cheap recipient check at RCPT, a durable store at DATA.

Database work runs in a small thread pool: the ORM is synchronous, the server is not.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import connection

from mailroom.core.addresses import is_address, normalise
from mailroom.receiving import replies
from mailroom.receiving.store import find_channel, store_mail

log = logging.getLogger(__name__)


def _in_thread(fn, *args, **kwargs):
    """Run ORM code in a pool thread; drop the thread's connection if it failed."""
    try:
        return fn(*args, **kwargs)
    except Exception:
        connection.close()  # a broken connection must not be reused by the next mail
        raise


class TransitHandler:
    """Accepts mail for known channels only and answers 250 once it is committed."""

    def __init__(self, source: str, executor: ThreadPoolExecutor | None = None):
        self.source = source
        self._executor = executor or ThreadPoolExecutor(4, thread_name_prefix=f"{source}-db")

    async def _db(self, fn, *args, **kwargs):
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, lambda: _in_thread(fn, *args, **kwargs)
        )

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # aiosmtpd handles pipelined commands (RFC 2920) but does not say so.
        session.host_name = hostname
        return [*responses[:-1], "250-PIPELINING", responses[-1]]

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # A reverse-path that is not UTF-8 (kept by aiosmtpd as surrogates) is kept, readable.
        envelope.mail_from = _readable(address)
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        address = normalise(address)
        if _readable(address) != address:
            return replies.UNKNOWN_RECIPIENT_UNSHOWN  # no channel has such an address
        if not is_address(address):
            return replies.BAD_RECIPIENT
        try:
            channel = await self._db(find_channel, address)
        except Exception:
            log.exception("recipient lookup failed, answered 451")
            return replies.LOCAL_FAULT
        if channel is None:
            return replies.UNKNOWN_RECIPIENT.format(address=address)
        # Every accepted RCPT counts (LMTP answers each after DATA); each channel stores once.
        envelope.rcpt_tos.append(address)
        envelope.channels = {**getattr(envelope, "channels", {}), channel.id: channel}
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        # Answering here (not raising) lets aiosmtpd reset the transaction state.
        mail_from = "" if envelope.mail_from in (None, "<>") else envelope.mail_from
        try:
            ids = await self._db(
                store_mail,
                envelope.original_content,
                channels=list(envelope.channels.values()),
                mail_from=mail_from,
                peer=_peer(session),
                source=self.source,
            )
        except Exception:
            log.exception("storing a mail failed, answered 451")
            return self._per_recipient(replies.LOCAL_FAULT, len(envelope.rcpt_tos))
        ok = replies.OK.format(ids=",".join(map(str, ids)))
        return self._per_recipient(ok, len(envelope.rcpt_tos))

    def _per_recipient(self, reply: str, count: int) -> str:
        """LMTP (RFC 2033 4.2) wants one reply per accepted recipient; SMTP wants one."""
        return "\r\n".join([reply] * count) if self.source == "lmtp" else reply

    async def handle_exception(self, error: Exception) -> str:
        log.error("receiving failed, answered 451", exc_info=error)
        return replies.LOCAL_FAULT

    def close(self) -> None:
        self._executor.shutdown(wait=True)


def _readable(text: str) -> str:
    """aiosmtpd keeps bytes that are not UTF-8 as lone surrogates: make them U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _peer(session) -> str:
    peer = session.peer
    if isinstance(peer, tuple):
        return f"{peer[0]}:{peer[1]}"
    return str(peer or "")
