"""A database with something in every corner of the API, for the schema fuzz test: a review
round with three validated submissions (one with a comment) and a publication, and a
self-assessment round in progress with phases from several respondents, a consent and a stored
action-plan item. ``World.known`` gives, for each path parameter name of the schema, values that
name real objects, so that the fuzzer reaches past the 404 of a made-up code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.maturity import self_assessment_round
from tests.publishing import validate_and_publish

from mnr.api.tokens import create_token
from mnr.exporters.base import exporters
from mnr.frameworks.models import Edition, Instrument
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import actions as maturity_actions
from mnr.surveys.actions import AnswerInput, open_submission, save_answers
from mnr.surveys.models import Submission

PHASES = {
    "KE": {"": {"C01": 2, "C03": 3, "C04": 1}, "police": {"C01": 3, "C03": 1}},
    "SE": {"": {"C01": 4, "C03": 4, "C04": 3}},
}


@dataclass
class World:
    analyst_token: str
    # path parameter name -> values naming real objects (by the path's first segment where one
    # name means different things: the {code} of /frameworks is an edition's, of /rounds a round's)
    known: dict[str, list[Any]] = field(default_factory=dict)
    known_by_area: dict[tuple[str, str], list[Any]] = field(default_factory=dict)

    def values_for(self, path: str, name: str) -> list[Any]:
        area = path.removeprefix("/api/v1/").split("/", 1)[0]
        return self.known_by_area.get((area, name)) or self.known.get(name, [])


def build_world(review_round: Any, personas: dict[str, Any]) -> World:
    """The data of the docstring above, on ``review_round`` (tests/conftest.py)."""
    analyst = personas["analyst"]
    for code, value in (("KE", "yes"), ("SE", "partial"), ("GB-EAW", "no")):
        place = Jurisdiction.objects.get(code=code)
        submission = open_submission(review_round, place, "government")
        save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")
    publication = validate_and_publish(review_round)

    sa_round = self_assessment_round("sa-fuzz", PHASES, confidence="medium", evidence="seen")
    kenya = Jurisdiction.objects.get(code="KE")
    maturity_actions.set_consent(sa_round, kenya, True)
    maturity_actions.update_plan_item(sa_round, kenya, "C04", {"owner": "Synthetic owner"})

    _, token = create_token(analyst, "fuzz", scope="write", acting_user=analyst)
    # A token the fuzzer may revoke (DELETE /tokens/{id}) without cutting off its own calls.
    spare, _ = create_token(analyst, "fuzz spare", scope="write", acting_user=analyst)

    instruments = list(Instrument.objects.filter(code__in=[review_round.instrument.code,
                                                           sa_round.instrument.code]))
    editions = list(Edition.objects.all())
    questions = [
        q.code for instrument in instruments for q in instrument.questions.order_by("position")[:4]
    ]
    return World(
        analyst_token=token,
        known={
            "code": [review_round.code, sa_round.code],
            "submission_id": list(Submission.objects.values_list("pk", flat=True)),
            "question": ["C11.status", "C01.phase", *questions],
            "publication_id": [publication.pk],
            "exporter": sorted(exporters()),
            "jurisdiction": ["KE", "SE", "GB-EAW"],
            "capability": ["C01", "C03", "C04"],
            "token_id": [spare.pk],
            "version": sorted({i.version for i in instruments} | {e.version for e in editions}),
        },
        known_by_area={
            ("frameworks", "code"): sorted({e.code for e in editions}),
            ("instruments", "code"): sorted({i.code for i in instruments}),
            ("jurisdictions", "code"): ["KE", "SE", "GB-EAW"],
        },
    )
