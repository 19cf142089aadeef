from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_mixins import ReadOnlyAdminMixin
from .models import OutboxMessage, OutgoingMail


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("event_type", "status", "attempts", "occurred_at", "next_attempt_at")
    list_filter = ("status", "event_type")
    search_fields = ("id", "event_type")
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    actions = ["retry_now"]

    @admin.action(description=_("Reintentar ahora"))
    def retry_now(self, request, queryset):
        from django.utils import timezone

        queryset.exclude(status=OutboxMessage.Status.DELIVERED).update(
            status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now(), locked_until=None
        )

    def has_add_permission(self, request):
        return False


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("subject", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status",)
    search_fields = ("key", "subject", "message_id")
    exclude = ("body",)  # the text may hold personal data; the subject says what it was
