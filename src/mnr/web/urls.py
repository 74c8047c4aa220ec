from django.urls import include, path

from mnr.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("framework/<slug:code>/", views.framework, name="framework"),
    path("rounds/<slug:code>/", views.round_detail, name="round"),
    path("rounds/<slug:code>/findings/", views.round_findings_page, name="round-findings"),
    path("", include("mnr.web.entry_urls")),
]
