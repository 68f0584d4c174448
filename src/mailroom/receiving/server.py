"""The SMTP and LMTP servers (aiosmtpd), each in its own thread with its own event loop."""

import socket

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
    # RFC 5321 4.5.3.1.6 caps a line at 1000 octets, but real mail breaks it (Postfix
    # accepts such lines too); refusing would bounce the customer's mail for good.
    line_length_limit = 1 << 20


class MailroomLMTP(_Rewriting, LMTP):
    line_length_limit = 1 << 20


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

    def start(self) -> None:
        # aiosmtpd reports a failed bind only after its whole ready_timeout: try it first.
        with socket.socket(socket.AF_INET6 if ":" in self.hostname else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((self.hostname, self.port))
        super().start()

    def stop(self, no_assert: bool = False):
        super().stop(no_assert=no_assert)
        self.handler.close()
