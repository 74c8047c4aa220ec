from django.contrib import admin

from mnr.admin_site import ReadOnlyAdmin
from mnr.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "source", "verb", "object_type", "object_id")
    list_filter = ("verb", "source")
