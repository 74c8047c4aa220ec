from django.contrib import admin

from mnr.admin_site import ReadOnlyAdmin
from mnr.evidence.models import Evidence


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """The rows only (who attached what, when, and removals); the files are downloaded from
    the answer pages, where access is checked."""

    list_display = ("original_name", "answer", "size", "uploaded_by", "uploaded_at", "removed_at")
    list_filter = ("content_type",)
