"""Findings count one answer per jurisdiction: the lead respondent's, in the live round and in a
publication, which still freezes every respondent's answers."""

from __future__ import annotations

from typing import Any

import pytest
from tests.publishing import validate_and_publish

from mnr.core.findings import Finding
from mnr.findings.data import round_data
from mnr.findings.service import own_jurisdictions, round_findings
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.actions import Content
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Round
from mnr.surveys.summary import round_summary

pytestmark = pytest.mark.django_db

QUESTION = "C11.status"


def answer(round_: Round, code: str, value: str, respondent: str = "") -> None:
    submission = actions.open_submission(
        round_, Jurisdiction.objects.get(code=code), "government", respondent=respondent
    )
    actions.save_answers(submission, {QUESTION: AnswerInput(value=value)}, source="test")


@pytest.fixture
def answered(review_round: Round) -> Round:
    """Kenya: lead "no", police "yes"; Sweden: only its police, "yes"; England and Wales: lead
    "yes" and civil society "no"."""
    answer(review_round, "KE", "no")
    answer(review_round, "KE", "yes", "police")
    answer(review_round, "SE", "yes", "police")
    answer(review_round, "GB-EAW", "yes")
    answer(review_round, "GB-EAW", "no", "civil_society")
    return review_round


def total(findings: list[Finding]) -> Finding:
    return next(f for f in findings if f.question == QUESTION and f.group is None)


def test_a_jurisdiction_counts_once_with_its_lead_respondents_answer(answered: Round) -> None:
    finding = total(round_findings(answered))
    assert dict(finding.counts) == {
        "yes": 1,
        "partial": 0,
        "no": 1,
        "dont_know": 0,
        "not_applicable": 0,
        "blank": 1,
    }
    assert (finding.numerator, finding.denominator) == (1, 2)


def test_a_jurisdiction_without_a_lead_is_blank_in_the_findings(answered: Round) -> None:
    frame = round_data(answered).answers
    assert sorted(frame["jurisdiction"]) == ["GB-EAW", "KE"]
    assert list(frame.loc[frame["jurisdiction"] == "KE", "value"]) == ["no"]


def test_a_publication_freezes_every_respondent_but_counts_the_lead(answered: Round) -> None:
    publication = validate_and_publish(answered)
    frozen = {(a["jurisdiction"], a["respondent"]): a["value"] for a in publication.answers}
    assert frozen == {
        ("GB-EAW", ""): "yes",
        ("GB-EAW", "civil_society"): "no",
        ("KE", ""): "no",
        ("KE", "police"): "yes",
        ("SE", "police"): "yes",
    }
    went_in = {(s["jurisdiction"], s["respondent"], s["answers"]) for s in publication.submissions}
    assert went_in == {
        ("GB-EAW", "", 1),
        ("GB-EAW", "civil_society", 1),
        ("KE", "", 1),
        ("KE", "police", 1),
        ("SE", "police", 1),
    }
    counted = Content.of(publication).data.answers
    assert sorted(zip(counted["jurisdiction"], counted["value"], strict=True)) == [
        ("GB-EAW", "yes"),
        ("KE", "no"),
    ]


def test_the_round_summary_lists_participants_whatever_their_respondents(answered: Round) -> None:
    participants = [p["jurisdiction"] for p in round_summary(answered)["participants"]]
    assert participants == ["GB-EAW", "KE", "SE"]


def test_only_the_leads_focal_point_is_taken_to_know_the_counted_answers(
    answered: Round, make_user: Any
) -> None:
    from mnr.accounts.actions import assign_role

    kenya = Jurisdiction.objects.get(code="KE")
    lead = make_user("focal-ke-lead", "focal_point", "KE")
    police = make_user("focal-ke-police-only")
    assign_role(police, "focal_point", jurisdiction=kenya, respondent="police", source="test")
    assert own_jurisdictions(lead, answered) == {"KE"}
    assert own_jurisdictions(police, answered) == frozenset()


def test_a_focal_point_of_one_channel_is_not_taken_to_know_the_counted_answers(
    answered: Round, make_user: Any
) -> None:
    """The answer counted may be another channel's: a government focal point shown a table in
    which their jurisdiction stands alone would read the UNICEF country office's answer."""
    from mnr.accounts.actions import assign_role

    assert len(answered.channels) > 1
    kenya = Jurisdiction.objects.get(code="KE")
    government = make_user("focal-ke-government-only")
    assign_role(government, "focal_point", jurisdiction=kenya, channel="government", source="test")
    every_channel = make_user("focal-ke-every-channel")
    assign_role(every_channel, "focal_point", jurisdiction=kenya, source="test")
    assert own_jurisdictions(government, answered) == frozenset()
    assert own_jurisdictions(every_channel, answered) == {"KE"}
