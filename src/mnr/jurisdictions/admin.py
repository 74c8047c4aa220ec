from django.contrib import admin

from mnr.admin_site import ReadOnlyAdmin
from mnr.jurisdictions.models import IncomeClassification, Jurisdiction


@admin.register(Jurisdiction)
class JurisdictionAdmin(ReadOnlyAdmin):
    list_display = ("code", "kind", "region", "subregion")
    list_filter = ("kind", "region")
    search_fields = ("code", "alpha3")


admin.site.register(IncomeClassification, ReadOnlyAdmin)
