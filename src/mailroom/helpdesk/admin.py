"""Django admin for requests and messages (the real pages come with the web issue)."""

from django.contrib import admin

from mailroom.helpdesk.models import Attachment, Message, Request


class MessageInline(admin.StackedInline):
    model = Message
    extra = 0
    fields = ("from_email", "subject", "rule", "date", "text")
    readonly_fields = fields
    show_change_link = True


@admin.register(Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ("number", "tenant", "subject", "requester_email", "status", "updated_at")
    list_filter = ("tenant", "status")
    search_fields = ("subject", "requester_email")
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "request", "from_email", "subject", "rule", "created_at")
    list_filter = ("rule",)


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("safe_name", "content_type", "size", "inline", "message")
