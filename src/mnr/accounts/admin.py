from django.contrib import admin

from mnr.accounts.models import RoleAssignment
from mnr.admin_site import ReadOnlyAdmin

admin.site.register(RoleAssignment, ReadOnlyAdmin)
