"""The SMTP and LMTP servers (aiosmtpd), each in its own thread with its own event loop."""

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from django.conf import settings

from mailroom.receiving import replies
from mailroom.receiving.handler import TransitHandler


class _Rewriting:
    """Gives aiosmtpd's size-limit replies their enhanced status code."""

    async def push(self, status):
        if isinstance(status, str):
            status = replies.AIOSMTPD_REWRITES.get(status, status)
            if status == replies.TOO_BIG and self._is_lmtp_data_reply():
                # RFC 2033 4.2: after DATA an LMTP server answers once per recipient.
                status = "\r\n".join([status] * max(1, len(self.envelope.rcpt_tos)))
        await super().push(status)

    def _is_lmtp_data_reply(self) -> bool:
        return isinstance(self, LMTP) and self.envelope is not None and self.envelope.rcpt_tos


class MailroomSMTP(_Rewriting, SMTP):
    pass


class MailroomLMTP(_Rewriting, LMTP):
    pass


class ReceiverController(Controller):
    """Runs one receiver (SMTP or LMTP) on host:port until stop()."""

    def __init__(self, host: str, port: int, *, lmtp: bool, max_bytes: int):
        self.lmtp = lmtp
        self.max_bytes = max_bytes
        handler = TransitHandler("lmtp" if lmtp else "smtp")
        super().__init__(handler, hostname=host, port=port, ready_timeout=10)

    def factory(self):
        cls = MailroomLMTP if self.lmtp else MailroomSMTP
        return cls(
            self.handler,
            data_size_limit=self.max_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=settings.MAILROOM["HOSTNAME"],
            ident="Mailroom ESMTP",
        )

    def stop(self, no_assert: bool = False):
        super().stop(no_assert=no_assert)
        self.handler.close()
