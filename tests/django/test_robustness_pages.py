"""Robustness on the pages: the findings explorer's "How robust is this figure?" panel (the
latest publication's stored public result, never computed in the request) and the maturity
profile's domain-score intervals (the profile's own access, domains in framework order)."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from tests.maturity import self_assessment_round
from tests.publishing import validate_and_publish

from mnr.core import robustness as core
from mnr.jurisdictions.actions import create_synthetic_jurisdictions
from mnr.publications.models import Publication, PublicationRobustness
from mnr.publications.robustness import assumption_label, compute, maturity_input
from mnr.reports.actions import HeadlineSpec, set_headlines
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

CODES = ("yes", "partial", "no", "dont_know", "yes", "yes", "no", "partial")
SIZE, LOW_INCOME = 12, 2
# H1 is over everyone; H2 over the two low-income jurisdictions, whose cell the public tables
# withhold, so the public result leaves it out.
HEADLINES = [
    HeadlineSpec("H1", "C11.status", ("yes", "partial"), {"en": "have a helpline"}),
    HeadlineSpec(
        "H2",
        "C11.status",
        ("yes",),
        {"en": "have a helpline"},
        population="income-group=LIC",
    ),
]


def client_for(personas: dict[str, Any], persona: str) -> Client:
    client = Client()
    if personas[persona].is_authenticated:
        client.force_login(personas[persona])
    return client


def explorer_round(code: str) -> Round:
    """Twelve synthetic jurisdictions (two low income) answering C11.status with every code."""
    round_ = actions.create_round(code, instrument="mnr-review-2021", synthetic=True)
    places = create_synthetic_jurisdictions(
        (
            (f"ZRB{n:03d}", f"Place {n}", "Europe", "LIC" if n >= SIZE - LOW_INCOME else "HIC")
            for n in range(SIZE)
        ),
        2021,
    )
    actions.add_participants(round_, [p.code for p in places])
    for n, place in enumerate(places):
        submission = actions.open_submission(round_, place, "government")
        answers = {"C11.status": AnswerInput(value=CODES[n % len(CODES)])}
        actions.save_answers(submission, answers, source="test")
    return round_


def published_round(personas: dict[str, Any], *, computed: bool = True) -> Publication:
    round_ = explorer_round("robust-pages")
    set_headlines(round_, HEADLINES, acting_user=personas["analyst"], source="test")
    publication = validate_and_publish(round_)
    # The background task's work (the test transaction never commits, so it was not run).
    row, _ = PublicationRobustness.objects.get_or_create(publication=publication)
    if computed:
        compute(row)
    return publication


def findings(personas: dict[str, Any], persona: str, round_: Round) -> str:
    response = client_for(personas, persona).get(reverse("round-findings", args=[round_.code]))
    assert response.status_code == 200
    return response.content.decode()


def panel(html: str) -> str:
    found = re.search(r'<section class="robustness".*?</section>', html, re.S)
    assert found, "no robustness panel"
    return found.group(0)


def stored(publication: Publication) -> core.Result:
    row = PublicationRobustness.objects.get(publication=publication)
    assert row.result is not None
    return core.Result.from_json(row.result)


@pytest.mark.parametrize("persona", ["anonymous", "analyst"])
def test_the_panel_shows_the_stored_numbers_of_the_publication(
    personas: dict[str, Any], persona: str
) -> None:
    publication = published_round(personas)
    result = stored(publication)
    (figure,) = result.figures
    with mock.patch.object(core, "run", side_effect=AssertionError("computed in the request")):
        html = findings(personas, persona, publication.round)
    shown = panel(html)
    low, high = round(figure.low), round(figure.high)
    assert f"{low} to {high} per cent" in shown
    assert f"{figure.percent}% ({figure.numerator} of {figure.denominator})" in shown
    assert f"{round(100 * figure.phrase_stable)}% of the time" in shown
    assert "From publication 1" in shown
    assert "Synthetic data" in shown
    assert 'id="robust-C11-status"' in shown and 'href="#robust-C11-status"' in html
    total = {s.assumption: s.total for s in figure.sensitivity}
    most = max(total, key=lambda name: total[name])
    assert total[most] > 0.01, "the round's answers make the figure move"
    assert f'<dd class="robust-matters">{escape(assumption_label(most, "en"))}</dd>' in shown
    assert f"{total[most]:.2f}" in shown


def test_a_figure_the_public_result_leaves_out_has_no_row(personas: dict[str, Any]) -> None:
    publication = published_round(personas)
    assert [f.id for f in stored(publication).figures] == ["H1"]
    shown = panel(findings(personas, "analyst", publication.round))
    assert 'data-figure="H1"' in shown
    assert 'data-figure="H2"' not in shown


def test_the_panel_says_pending_and_never_computes_in_the_request(
    personas: dict[str, Any],
) -> None:
    publication = published_round(personas, computed=False)
    with mock.patch.object(core, "run", side_effect=AssertionError("computed in the request")):
        html = findings(personas, "anonymous", publication.round)
    shown = panel(html)
    assert "being computed; reload the page" in shown
    assert "per cent" not in shown
    row = PublicationRobustness.objects.get(publication=publication)
    assert row.status == PublicationRobustness.Status.PENDING


def test_the_panel_says_a_failed_run_failed(personas: dict[str, Any]) -> None:
    publication = published_round(personas, computed=False)
    PublicationRobustness.objects.filter(publication=publication).update(
        status=PublicationRobustness.Status.FAILED, error="RobustnessError: test"
    )
    shown = panel(findings(personas, "anonymous", publication.round))
    assert "could not be computed" in shown


def test_the_panel_follows_the_language(personas: dict[str, Any]) -> None:
    publication = published_round(personas)
    client = Client(headers={"accept-language": "fr"})
    html = client.get(reverse("round-findings", args=[publication.round.code])).content.decode()
    assert "Ce chiffre est-il robuste" in panel(html)


def test_a_question_filtered_out_has_no_panel(personas: dict[str, Any]) -> None:
    publication = published_round(personas)
    client = client_for(personas, "anonymous")
    html = client.get(
        reverse("round-findings", args=[publication.round.code]), {"domain": "D1"}
    ).content.decode()
    assert 'class="robustness"' not in html


# --- the maturity profile -------------------------------------------------------------------

PERSONAS = ("administrator", "analyst", "reviewer", "focal_point", "other_focal_point", "anonymous")
ALLOWED = {"administrator", "analyst", "reviewer", "focal_point"}
# Kenya's domains score unlike their framework order: D1 high, D2 low, D3 in between.
KENYA = {
    "": {"C01": 4, "C02": 4, "C03": 3, "C04": 1, "C05": 1, "C09": 2, "C10": 3},
    "police": {"C01": 2, "C04": 2, "C09": 4},
}


@pytest.fixture
def sa_round(personas: dict[str, Any]) -> Round:
    return self_assessment_round("sa-robust", {"KE": KENYA, "SE": {"": {"C01": 3}}})


def profile(personas: dict[str, Any], persona: str, round_: Round, code: str = "KE") -> Any:
    url = reverse("maturity-profile", args=[round_.code, code])
    return client_for(personas, persona).get(url)


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_sees_the_domain_score_intervals(
    personas: dict[str, Any], sa_round: Round, persona: str
) -> None:
    response = profile(personas, persona, sa_round)
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona in ALLOWED:
        assert response.status_code == 200
        assert "How robust are these domain scores?" in response.content.decode()
    else:
        assert response.status_code == 404
        assert b"How robust" not in response.content


def test_another_jurisdictions_focal_point_gets_the_profiles_refusal(
    personas: dict[str, Any], sa_round: Round
) -> None:
    assert profile(personas, "focal_point", sa_round, "SE").status_code == 404
    own = profile(personas, "other_focal_point", sa_round, "SE")
    assert own.status_code == 200 and b"How robust are these domain scores?" in own.content


def test_domain_rows_are_in_framework_order_with_their_intervals(
    personas: dict[str, Any], sa_round: Round
) -> None:
    html = profile(personas, "analyst", sa_round).content.decode()
    section = re.search(r'<section class="robustness".*?</section>', html, re.S)
    assert section
    rows = re.findall(
        r'<tr data-domain="(D\d)">.*?<td class="num"[^>]*>([\d.]+)</td>'
        r"<td[^>]*>([\d.]+) to ([\d.]+)</td>",
        section.group(0),
        re.S,
    )
    maturity = maturity_input(sa_round)
    assert maturity is not None
    assert [domain for domain, *_ in rows] == list(maturity.domains)
    scores = [float(nominal) for _, nominal, _, _ in rows]
    assert scores != sorted(scores) and scores != sorted(scores, reverse=True)
    for _, nominal, low, high in rows:
        assert float(low) <= float(nominal) + 0.005 and float(nominal) <= float(high) + 0.005
    # D1's C01 has two respondents (4 and 2): the respondent rule moves it.
    assert float(rows[0][2]) < float(rows[0][3])
    assert "SYNTHETIC DATA" in section.group(0)


def test_the_profile_data_names_no_other_jurisdiction(sa_round: Round) -> None:
    from mnr.jurisdictions.models import Jurisdiction
    from mnr.maturity.robustness import jurisdiction_problem

    problem = jurisdiction_problem(sa_round, Jurisdiction.objects.get(code="KE"))
    assert problem is not None and problem.maturity is not None
    assert {p.jurisdiction for p in problem.maturity.phases} == {"KE"}
    assert problem.figures == ()


def test_the_profile_file_holds_the_same_section(personas: dict[str, Any], sa_round: Round) -> None:
    url = reverse("maturity-profile-download", args=[sa_round.code, "KE", "html"])
    html = client_for(personas, "focal_point").get(url + "?lang=fr").content.decode()
    assert "Ces scores par domaine sont-ils robustes" in html
    assert re.search(r'<td class="num" [^>]*>\d,\d\d</td>', html), "decimal comma in French"


def test_a_jurisdiction_without_phases_gets_its_zero_scores_intervals(
    personas: dict[str, Any],
) -> None:
    round_ = self_assessment_round("sa-blank", {"SE": {"": {"C01": 3}}}, participants=["KE", "SE"])
    html = profile(personas, "analyst", round_).content.decode()
    section = re.search(r'<section class="robustness".*?</section>', html, re.S)
    assert section and 'data-domain="D1"' in section.group(0)
    assert "0.00" in section.group(0)
