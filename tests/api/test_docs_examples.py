"""The curl examples of docs/api.md, run with the real ``curl`` against a live server.

Each fenced ``sh`` block of the guide is run by bash in document order against one world built
here (a published round, a round taking answers, a self-assessment round with plans), with
the variables the guide names exported. A ``# as: <persona>`` line says whose token
``$TOKEN`` holds (``read token`` in that line: a token of the read scope); without one the
block runs with no token. Each ``# → <status> [text]`` line is the outcome of the curl call
before it: the statuses must be those, in order, and each text must appear in the block's
output (spaces ignored). ``curl`` is wrapped only to report each call's status on stderr.

This is also the issue's "done when": anonymous callers get the latest publication's
findings and are refused jurisdiction-level data; a focal point's token writes their own
jurisdiction's answer with the right version, and is refused for another jurisdiction and
with a stale version.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from tests.maturity import self_assessment_round
from tests.publishing import validate_and_publish

from mnr.api.tokens import create_token
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.models import Publication
from mnr.surveys import actions
from mnr.surveys.actions import AnswerInput
from mnr.surveys.models import Answer, Submission

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
# A fenced block, also one indented under a list item.
BLOCK = re.compile(r"^([ \t]*)```sh\n(.*?)^\1```", re.M | re.S)
EXPECTED = re.compile(r"^# → (\d{3})(?: (.*))?$", re.M)
PERSONA = re.compile(r"^# as: (\w+)(.*)$", re.M)
STATUS = re.compile(r"^MNR-STATUS:(\d{3})$", re.M)
# Reports each call's status (curl's -w, written to stderr) without changing the command.
WRAPPER = "curl() { command curl -w '%{stderr}MNR-STATUS:%{http_code}\\n' \"$@\"; }\n"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("curl") is None, reason="needs the curl binary"),
]


@dataclass(frozen=True)
class Example:
    number: int
    script: str
    persona: str | None
    read_token: bool
    expected: list[tuple[int, str]]

    def __str__(self) -> str:
        return f"example {self.number} of docs/api.md:\n{self.script}"


def examples(text: str) -> list[Example]:
    found = []
    for number, (_indent, indented) in enumerate(BLOCK.findall(text), start=1):
        block = textwrap.dedent(indented)
        who = PERSONA.search(block)
        found.append(
            Example(
                number=number,
                script=block,
                persona=who.group(1) if who else None,
                read_token=bool(who and "read token" in who.group(2)),
                expected=[(int(s), (t or "").strip()) for s, t in EXPECTED.findall(block)],
            )
        )
    return found


def test_every_example_states_its_outcome() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    found = examples(text)
    assert len(found) == text.count("```sh") >= 20
    for example in found:
        calls = len(re.findall(r"(?<![\w-])curl ", example.script))
        assert example.expected and len(example.expected) == calls, str(example)


def test_the_outcome_lines_are_read_as_written() -> None:
    first, second = examples(
        "x\n```sh\n# as: focal_point (a read token)\ncurl -sS a\n# → 403 token_scope\n```\n"
        "- item\n\n  ```sh\n  curl -sS b\n  # → 200\n  ```\n"
    )
    assert (first.persona, first.read_token) == ("focal_point", True)
    assert first.expected == [(403, "token_scope")]
    assert (second.persona, second.script, second.expected) == (
        None,
        "curl -sS b\n# → 200\n",
        [(200, "")],
    )


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def build_world(personas: dict[str, Any]) -> dict[str, str]:
    """A demo-like world (synthetic), and the guide's variables for it."""
    places = {code: Jurisdiction.objects.get(code=code) for code in ("KE", "SE", "GB-EAW")}
    published = actions.create_round(
        "docs-2024", instrument="mnr-review-2021", title="Docs example round", source="test"
    )
    actions.add_participants(published, list(places), source="test")
    for code, value in (("KE", "yes"), ("SE", "partial"), ("GB-EAW", "no")):
        submission = actions.open_submission(published, places[code], "government", source="test")
        actions.save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")
    publication = validate_and_publish(published)
    answering = actions.create_round(
        "docs-2025", instrument="mnr-review-2021", title="Docs open round", source="test"
    )
    actions.add_participants(answering, list(places), source="test")
    opened = {
        code: actions.open_submission(answering, place, "government", source="test")
        for code, place in places.items()
    }
    for submission in opened.values():
        actions.save_answers(submission, {"C11.status": AnswerInput(value="yes")}, source="test")
    actions.submit(opened["GB-EAW"], source="test", allow_missing=True)
    self_assessment_round("docs-sa-2025", {"KE": {"": {"C01": 2, "C03": 1}}})
    return {
        "ROUND": published.code,
        "PUBLICATION": str(publication.pk),
        "OPEN_ROUND": answering.code,
        "SUBMISSION": str(opened["KE"].pk),
        "OTHER_SUBMISSION": str(opened["SE"].pk),
        "REVIEW_SUBMISSION": str(opened["GB-EAW"].pk),
        "PLAN_ROUND": "docs-sa-2025",
        # The session example signs in as the focal point (tests/conftest.py's password).
        "MNR_USER": personas["focal_point"].get_username(),
        "MNR_PASSWORD": "pw-" + personas["focal_point"].get_username(),
    }


def tokens_for(personas: dict[str, Any]) -> dict[tuple[str, bool], str]:
    made = {}
    for name in ("focal_point", "other_focal_point", "reviewer", "analyst"):
        user = personas[name]
        for read in (False, True):
            _token, text = create_token(
                user,
                f"docs example ({'read' if read else 'write'})",
                scope="read" if read else "write",
                acting_user=user,
                source="test",
            )
            made[(name, read)] = text
    return made


def run(example: Example, variables: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "LANG": "C.UTF-8", **variables}
    return subprocess.run(
        ["bash", "-c", WRAPPER + example.script],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_the_guides_examples_run_against_a_live_server(
    live_server: Any, personas: dict[str, Any], tmp_path: Path
) -> None:
    cache.clear()  # a fresh rate-limit allowance
    variables = {"MNR": live_server.url, **build_world(personas)}
    tokens = tokens_for(personas)
    problems = []
    for example in examples(GUIDE.read_text(encoding="utf-8")):
        env = dict(variables)
        if example.persona is not None:
            env["TOKEN"] = tokens[(example.persona, example.read_token)]
        done = run(example, env, tmp_path)
        statuses = [int(s) for s in STATUS.findall(done.stderr)]
        wanted = [status for status, _ in example.expected]
        missing = [
            text
            for _, text in example.expected
            if text and _squeezed(text) not in _squeezed(done.stdout)
        ]
        if statuses != wanted or missing or done.returncode != 0:
            problems.append(
                f"{example}\n→ statuses {statuses}, expected {wanted}; missing {missing}; "
                f"exit {done.returncode}\nstdout: {done.stdout[:600]}\nstderr: {done.stderr[:300]}"
            )
    assert not problems, "\n\n".join(problems)
    # What the examples did is in the database: the focal point's writes of their own
    # submission, the reviewer's validation, the analyst's publication, nothing of Sweden's.
    kenya = Submission.objects.get(pk=variables["SUBMISSION"])
    answer = Answer.objects.get(submission=kenya, question__code="C11.status")
    assert (answer.value, answer.updated_by) == ("partial", personas["focal_point"])
    assert set(
        Answer.objects.filter(submission=kenya).values_list("question__code", flat=True)
    ) == {"C11.status", "C01.status", "C02.status", "C05.status"}
    sweden = Answer.objects.get(submission_id=variables["OTHER_SUBMISSION"])
    assert sweden.updated_by is None
    review = Submission.objects.get(pk=variables["REVIEW_SUBMISSION"])
    assert review.status == Submission.Status.VALIDATED
    assert Publication.objects.filter(round__code=variables["OPEN_ROUND"], number=1).exists()
    for name in ("findings.csv", "findings-sdmx.csv", "findings-sdmx.xml", "openapi.json"):
        assert (tmp_path / name).stat().st_size > 100, name
