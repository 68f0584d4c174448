"""Requests (tickets), the messages they are made of, and the messages' attachments."""

from django.db import models

from mailroom.core.models import Channel, InboundMail, Tenant


class Request(models.Model):
    """A helpdesk request of one tenant, numbered per tenant (#1, #2, ...)."""

    class Status(models.TextChoices):
        NEW = "new"
        OPEN = "open"
        CLOSED = "closed"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="requests")
    number = models.PositiveIntegerField()
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="requests")
    subject = models.TextField(blank=True, default="")
    requester_email = models.CharField(max_length=254)
    requester_name = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="request_number_per_tenant")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"


class Message(models.Model):
    """One integrated mail, as part of a request; `rule` says how it was matched."""

    class Rule(models.TextChoices):
        NEW = "new-request"
        IN_REPLY_TO = "in-reply-to"
        REFERENCES = "references"
        SUBJECT_TAG = "subject-tag"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="messages")
    mail = models.OneToOneField(
        InboundMail, on_delete=models.PROTECT, null=True, related_name="message"
    )
    from_email = models.CharField(max_length=254, blank=True, default="")
    from_name = models.CharField(max_length=200, blank=True, default="")
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list)
    reply_to = models.JSONField(default=list)
    subject = models.TextField(blank=True, default="")
    date = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=998, blank=True, default="")
    in_reply_to = models.JSONField(default=list)
    references = models.JSONField(default=list)
    text = models.TextField(blank=True, default="")
    html = models.TextField(blank=True, default="")
    defects = models.JSONField(default=list)
    automatic = models.CharField(max_length=200, blank=True, default="")
    rule = models.CharField(max_length=16, choices=Rule.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["tenant", "message_id"], name="message_tenant_mid")]

    def participants(self) -> set[str]:
        return {self.from_email, *self.to, *self.cc, *self.reply_to} - {""}


class Attachment(models.Model):
    """A file of a message; content lives in the attachment store under its sha256."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.TextField(blank=True, default="")
    safe_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    inline = models.BooleanField(default=False)
    content_id = models.CharField(max_length=998, blank=True, default="")

    class Meta:
        ordering = ["id"]
