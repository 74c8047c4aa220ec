"""Read-only admin pages: browsing aid for administrators.

Administrators (by role or as superusers) may enter; they need not be Django "staff". Changes go
through the action functions (web pages under /manage/ and ``mnr`` commands), which check
permissions and record history; the admin therefore neither adds, changes nor deletes, the
users and groups Django registers included."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


def _is_administrator(request: HttpRequest) -> bool:
    # Imported here: this module is loaded with the app registry, before the models are.
    from mnr.accounts.permissions import is_administrator

    return bool(request.user.is_active) and is_administrator(request.user)


class MnrAdminSite(admin.AdminSite):
    site_header = _("mnr administration (read only)")
    site_title = _("mnr administration")
    index_title = _("Browse the records (changes are made under Manage)")

    def has_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)


class MnrAdminConfig(AdminConfig):
    default_site = "mnr.admin_site.MnrAdminSite"

    def ready(self) -> None:
        super().ready()
        from django.contrib.auth.models import Group, User

        for model in (User, Group):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
        admin.site.register(User, UserAdmin)
        admin.site.register(Group, ReadOnlyAdmin)


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "email", "is_active", "last_login", "date_joined")
    list_filter = ("is_active",)
    search_fields = ("username", "email")
    # The password hash is not for browsing.
    exclude = ("password",)
