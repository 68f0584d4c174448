"""Building small test mails and sending them over a real SMTP conversation."""

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid


def mail(
    *,
    sender: str | None = "alice@customer.example",
    to: str = "contact@demo.example",
    subject: str = "Printer on fire",
    body: str = "Hello, my printer is on fire.",
    message_id: str | None = "",
    headers: dict[str, str] | None = None,
) -> bytes:
    """A mail as bytes; message_id "" means a fresh one, None means no Message-ID at all."""
    msg = EmailMessage()
    if sender is not None:
        msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    if message_id is not None:
        msg["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def send(port: int, raw: bytes, rcpt: str, mail_from: str = "alice@customer.example") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.sendmail(mail_from, [rcpt], raw)


def message_id_of(raw: bytes) -> str:
    for line in raw.split(b"\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().strip(b"<>").decode()
    raise AssertionError("no Message-ID")
