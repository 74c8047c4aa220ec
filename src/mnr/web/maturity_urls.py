"""Pages for editing a round's maturity records (the plan, consent, overrides) and the round's
maturity overview. The names are what other pages link to."""

from django.urls import URLPattern, path

from mnr.web import maturity_pages as pages

ROUND = "rounds/<slug:code>/maturity/"
JURISDICTION = ROUND + "<str:jurisdiction>/"

urlpatterns: list[URLPattern] = [
    path(ROUND, pages.round_overview, name="maturity-round"),
    path(JURISDICTION + "plan/", pages.plan_page, name="maturity-plan"),
    path(JURISDICTION + "plan/add/", pages.plan_item_add, name="maturity-plan-add"),
    path(JURISDICTION + "plan/<str:capability>/", pages.plan_item_save, name="maturity-plan-item"),
    path(
        JURISDICTION + "plan/<str:capability>/drop/",
        pages.plan_item_drop,
        name="maturity-plan-drop",
    ),
    path(JURISDICTION + "plan/<str:capability>/peers/", pages.peers_page, name="maturity-peers"),
    path(JURISDICTION + "consent/", pages.consent_save, name="maturity-consent"),
    path(JURISDICTION + "phases/", pages.phases_page, name="maturity-phases"),
    path(
        JURISDICTION + "phases/<str:capability>/override/",
        pages.override_save,
        name="maturity-override",
    ),
]
