"""The demo's free-text answers: written statements per capability and kind, not templates."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from mnr.core.synthetic import (
    InstrumentQuestion,
    review_2021_demo,
    synthetic_statements,
)

INSTRUMENT = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "mnr"
    / "frameworks"
    / "data"
    / "instruments"
    / "mnr-review-2021.yaml"
)
KINDS = ("good_practice", "challenges", "lessons_learned")

# Words one of which every statement about a capability uses: a statement filed under the
# wrong capability (or a template about "the {topic}") fails.
ABOUT = {
    "C01": r"coordinat|board|ministr|strategy|plan",
    "C02": r"survey|data|figures|study|situation|statistic|definitions",
    "C03": r"\blaws?\b|penal code|offence|wording|definitions",
    "C04": r"police|investigator|forensic",
    "C05": r"prosecut|judge|court|trial|sentenc",
    "C06": r"offender|probation|prison|register",
    "C07": r"database|ICSE",
    "C08": r"victim|child advocacy|case worker|referral",
    "C09": r"social work|child protection officer",
    "C10": r"compensation|complaint|legal aid|remed|claim",
    "C11": r"helpline",
    "C12": r"hotline|reporting portal",
    "C13": r"lesson|curriculum|school|teacher|education|parents",
    "C14": r"youth|young people|children's views|consult",
    "C15": r"prevention|at risk|therapy|sexual thoughts|help service|harmful sexual behaviour",
    "C16-17": r"takedown|block|hosting|companies report",
    "C18-19": r"compan|industry|operators|start-up",
    "C20": r"journalist|media|press|editor|news",
    "C21": r"\bterms?\b|glossary|categories|terminology",
}


def instrument_text_questions() -> list[tuple[str, str]]:
    """(capability, kind) of every text question of the 2021 instrument."""
    found = re.findall(
        r"\b(C\d\d(?:-\d\d)?)\.(good_practice|challenges|lessons_learned)\b",
        INSTRUMENT.read_text(encoding="utf-8"),
    )
    return sorted(set(found))


def test_every_text_question_of_the_instrument_has_three_statements_or_more() -> None:
    statements = synthetic_statements()
    asked = instrument_text_questions()
    assert len(asked) == 19 * 3
    for capability, kind in asked:
        written = statements[capability][kind]
        assert len(set(written)) >= 3, (capability, kind)


@pytest.mark.parametrize("capability", sorted(ABOUT))
def test_each_statement_is_about_its_capability(capability: str) -> None:
    for kind in KINDS:
        for statement in synthetic_statements()[capability][kind]:
            assert re.search(ABOUT[capability], statement, re.IGNORECASE), (capability, statement)


def test_statements_are_sentences_not_templates_and_never_repeat() -> None:
    every = [
        s for kinds in synthetic_statements().values() for texts in kinds.values() for s in texts
    ]
    assert not [s for s in every if "{" in s or "}" in s]
    assert all(s[0].isupper() and s.endswith(".") for s in every)
    assert [s for s, n in Counter(every).items() if n > 1] == []


def demo_questions() -> list[InstrumentQuestion]:
    return [InstrumentQuestion(f"{c}.{k}", "text") for c, k in instrument_text_questions()]


def test_the_demo_answers_with_the_statements_of_each_question_marked_synthetic() -> None:
    demo = review_2021_demo(demo_questions(), figures=())
    statements = synthetic_statements()
    assert len(demo.texts) > 19 * 3 * 20  # most jurisdictions answer most text questions
    for answer in demo.texts:
        capability, _, kind = answer.question.partition(".")
        assert answer.text.startswith("[Synthetic] ")
        assert answer.text.removeprefix("[Synthetic] ") in statements[capability][kind]
    used = {t.text for t in demo.texts}
    assert len(used) > 19 * 3 * 2  # the statements vary, not one per question


def test_a_text_question_without_statements_gets_no_invented_answer() -> None:
    demo = review_2021_demo([InstrumentQuestion("C99.good_practice", "text")], figures=())
    assert demo.texts == ()
