"""Links to a round's maturity pages for the people who may open them (round and home pages)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from django import template
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import access, data
from mnr.surveys.models import Round
from mnr.web.i18n import ui_language

register = template.Library()


def maturity_links_for(user: Any, round_: Round) -> list[dict[str, str]]:
    """Analysts and reviewers: the round's overview. Focal points: the pages of the
    jurisdictions they speak for. Nobody else, and nothing for a round that asks no phase."""
    if user is None or not user.is_authenticated or not data.phase_questions(round_):
        return []
    from mnr.web.maturity_pages import profile_url

    places = [
        j
        for j in Jurisdiction.objects.filter(participations__round=round_).order_by("code")
        if access.can_see_maturity(user, round_, j)
    ]
    if access.can_see_distributions(user, round_) or any(
        access.can_override(user, round_, j) for j in places
    ):
        return [
            {"label": _("Maturity overview"), "url": reverse("maturity-round", args=[round_.code])}
        ]
    links = []
    for place in places:
        profile = profile_url(round_, place)
        name = place.name(ui_language())
        if profile:
            links.append(
                {
                    "label": _("Maturity profile of %(jurisdiction)s") % {"jurisdiction": name},
                    "url": profile,
                }
            )
        links.append(
            {
                "label": _("Action plan of %(jurisdiction)s") % {"jurisdiction": name},
                "url": reverse("maturity-plan", args=[round_.code, place.code]),
            }
        )
    return links


@register.inclusion_tag("web/maturity/_links.html", takes_context=True)
def maturity_links(context: template.Context, round_: Round, before: str = "") -> dict[str, Any]:
    """The links, after ``before`` (a separator) when there are any."""
    return {"links": maturity_links_for(context.get("user"), round_), "before": before}
