from django.contrib import admin

from apps.core.admin_mixins import ReadOnlyAdminMixin

from .models import BackupRun


@admin.register(BackupRun)
class BackupRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "status", "size_bytes", "path"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in BackupRun._meta.fields]
