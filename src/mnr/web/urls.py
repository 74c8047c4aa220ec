from django.urls import include, path

from mnr.web import (
    capability_pages,
    findings_explorer,
    library,
    manage,
    maturity_views,
    report_views,
    tokens,
    views,
)

urlpatterns = [
    path("", views.home, name="home"),
    path("framework/<slug:code>/", views.framework, name="framework"),
    path(
        "framework/<slug:code>/capabilities/<str:capability>/",
        capability_pages.capability_page,
        name="capability",
    ),
    path("library/", library.library, name="library"),
    path(
        "framework/<slug:code>/phases/<int:level>/",
        views.rename_phase_view,
        name="framework-phase",
    ),
    path("rounds/<slug:code>/", views.round_detail, name="round"),
    path("rounds/<slug:code>/publish/", views.round_publish, name="round-publish"),
    path("rounds/<slug:code>/findings/", findings_explorer.findings_page, name="round-findings"),
    path(
        "rounds/<slug:code>/findings.<slug:file_format>",
        findings_explorer.findings_download,
        name="round-findings-download",
    ),
    path("rounds/<slug:code>/report/", report_views.round_report, name="round-report"),
    path("rounds/<slug:code>/report.pdf", report_views.round_report_pdf, name="round-report-pdf"),
    path(
        "rounds/<slug:code>/report/edit/", report_views.round_report_edit, name="round-report-edit"
    ),
    path(
        "rounds/<slug:code>/maturity/<str:jurisdiction>/",
        maturity_views.maturity_profile,
        name="maturity-profile",
    ),
    path(
        "rounds/<slug:code>/maturity/<str:jurisdiction>/profile.<slug:file_format>",
        maturity_views.maturity_profile_download,
        name="maturity-profile-download",
    ),
    path(
        "rounds/<slug:code>/maturity/<str:jurisdiction>/plan.<slug:file_format>",
        maturity_views.plan_download,
        name="plan-download",
    ),
    path("manage/", include("mnr.web.manage_urls")),
    path("sign-up/<str:token>/", manage.sign_up, name="sign-up"),
    path("account/tokens/", tokens.api_tokens, name="api-tokens"),
    path("account/tokens/<int:pk>/revoke/", tokens.revoke_api_token, name="api-token-revoke"),
    path("vendor/vega-embed.js", report_views.vega_embed_js, name="vega-embed-js"),
    path("", include("mnr.web.entry_urls")),
    path("", include("mnr.web.maturity_urls")),
]
