"""The audit log for administrators: browse (filters, search, dates) and download the
filtered list as CSV (``export.csv`` beside the list, with the same filters)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from mnr.admin_site import ReadOnlyAdmin
from mnr.audit import log
from mnr.audit.models import AuditEvent
from mnr.audit.record import EXPORT, record_access


class ActorFilter(admin.SimpleListFilter):
    title = _("actor")
    parameter_name = "actor"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        names = (
            AuditEvent.objects.exclude(actor_username="")
            .order_by()  # the default ordering would make DISTINCT keep one row per moment
            .values_list("actor_username", flat=True)
            .distinct()
        )
        return [(name, name) for name in sorted(names, key=str.casefold)]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(actor_username=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = (
        "at",
        "kind",
        "verb",
        "actor_username",
        "source",
        "address",
        "object_type",
        "object_id",
    )
    list_filter = ("kind", "verb", ActorFilter, "source")
    date_hierarchy = "at"
    search_fields = ("object_type", "object_id", "actor_username", "address", "verb")
    # No actions: the log is neither changed nor deleted, and downloads go through export.csv.
    actions = None
    # The user link would fail for an actor since removed; the name is kept on the event.
    exclude = ("actor",)
    readonly_fields = ("actor_id",)

    def get_urls(self) -> list[URLPattern]:
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_csv),
            name="audit_auditevent_export",
        )
        return [export, *super().get_urls()]

    def export_csv(self, request: HttpRequest) -> HttpResponse:
        """The events the list shows with the same filters and search, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            events = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            return HttpResponseBadRequest(_("These filters do not apply to audit events."))
        record_access(
            EXPORT,
            "audit.auditevent",
            actor=request.user,
            request=request,
            what="audit log",
            filters=request.GET.urlencode(),
            count=events.count(),
        )
        response = HttpResponse(log.as_csv(events), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="mnr-audit-log.csv"'
        response["Cache-Control"] = "private, no-store"
        return response
