"""Django admin for the core records; the raw bytes are never rendered in a list."""

from django.contrib import admin

from mailroom.core.models import Channel, ChannelEvent, InboundMail, Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("public_address", "inbound_address", "tenant", "state", "state_changed_at")
    list_filter = ("state", "tenant")
    search_fields = ("public_address", "inbound_address")


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "received_at", "state", "error_code", "mail_from", "size")
    list_filter = ("state", "source", "channel__tenant")
    exclude = ("raw",)
    readonly_fields = ("sha256", "size", "received_at", "peer", "source")


@admin.register(ChannelEvent)
class ChannelEventAdmin(admin.ModelAdmin):
    list_display = ("channel", "kind", "reason", "actor", "at")
