from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from mnr.api.main import api
from mnr.api.main import docs as api_docs
from mnr.api.main import unknown_path as api_unknown_path
from mnr.web.health import healthz

# A body Django refused while reading it (too many fields) gets a page saying so.
handler400 = "mnr.web.request_limits.bad_request"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    # For load balancers and monitors: 200 when the database answers (docs/operations.md).
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("api/docs", api_docs, name="api-docs"),
    re_path(r"^api/v1/(?P<rest>.*)$", api_unknown_path, name="api-unknown"),
    # The language switcher posts to set_language; the scripts' texts come from the djangojs
    # catalogue of the active language.
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Security pages: two-factor, the code after the password, changing the password.
    path("", include("mnr.accounts.urls")),
    path("", include("mnr.evidence.urls")),
    path("", include("mnr.web.urls")),
]
