"""Tenants, their channels, and the transit inbox where every received mail is kept raw."""

from datetime import timedelta

from django.conf import settings
from django.db import models


class Tenant(models.Model):
    """A client company ("solution"); everything else belongs to exactly one tenant."""

    name = models.CharField(max_length=200, unique=True)
    # The tag in subjects that names a request: "[#12]" with the default prefix "#".
    request_tag_prefix = models.CharField(max_length=20, default="#")
    last_request_number = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """A public address of a tenant, forwarded by the tenant's IT to one platform address."""

    class State(models.TextChoices):
        ACTIVE = "active"
        BLOCKED = "blocked"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="channels")
    public_address = models.CharField(max_length=254)
    inbound_address = models.CharField(max_length=254, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.ACTIVE)
    state_reason = models.TextField(blank=True, default="")
    state_changed_at = models.DateTimeField(null=True, blank=True)
    # None means the platform default from settings.MAILROOM.
    block_threshold = models.PositiveIntegerField(null=True, blank=True)
    block_window_hours = models.PositiveIntegerField(null=True, blank=True)
    retention_days = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.public_address} -> {self.inbound_address}"

    @property
    def effective_threshold(self) -> int:
        return self.block_threshold or settings.MAILROOM["BLOCK_THRESHOLD"]

    @property
    def effective_window(self) -> timedelta:
        return timedelta(hours=self.block_window_hours or settings.MAILROOM["BLOCK_WINDOW_HOURS"])

    @property
    def effective_retention(self) -> timedelta:
        return timedelta(days=self.retention_days or settings.MAILROOM["RETENTION_DAYS"])


class InboundMail(models.Model):
    """One received mail for one channel, kept raw in the transit inbox until purged."""

    class State(models.TextChoices):
        RECEIVED = "received"
        INTEGRATED = "integrated"
        ERROR = "error"
        DUPLICATE = "duplicate"
        IGNORED = "ignored"
        DISMISSED = "dismissed"

    class Source(models.TextChoices):
        SMTP = "smtp"
        LMTP = "lmtp"
        IMPORT = "import"

    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="mails")
    raw = models.BinaryField()
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    mail_from = models.CharField(max_length=998, blank=True, default="")
    rcpt_to = models.CharField(max_length=254)
    peer = models.CharField(max_length=100, blank=True, default="")
    source = models.CharField(max_length=16, choices=Source.choices)
    received_at = models.DateTimeField(db_index=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    # What the log shows of the mail, filled by integration (even when parsing failed).
    sender = models.CharField(max_length=254, blank=True, default="")
    subject = models.TextField(blank=True, default="")
    error_code = models.CharField(max_length=32, blank=True, default="")
    error_text = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    raw_purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["channel", "state", "id"], name="mail_channel_state"),
            # The worker's queue: only the waiting mails, however large the table grows.
            models.Index(
                fields=["id"], condition=models.Q(state="received"), name="mail_waiting"
            ),
        ]

    def __str__(self) -> str:
        return f"mail {self.id} ({self.state}) for {self.rcpt_to}"


class ChannelEvent(models.Model):
    """What happened to a channel or its mails (block, unblock, replay, dismiss): when, why, who."""

    class Kind(models.TextChoices):
        BLOCKED = "blocked"
        UNBLOCKED = "unblocked"
        REPLAYED = "replayed"
        DISMISSED = "dismissed"

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField()
    actor = models.CharField(max_length=150, blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
