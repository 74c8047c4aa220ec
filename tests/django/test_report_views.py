from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from tests.report_editor import editor_fields, textarea

from mnr.audit.models import AuditEvent
from mnr.reports.actions import (
    BlockEdit,
    HeadlineSpec,
    ReportConflicts,
    ReportEdit,
    save_narrative,
    save_report_edit,
    set_headlines,
)
from mnr.reports.builder import snapshot_exclusions
from mnr.reports.models import Headline, NarrativeBlock, ReportSettings
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("administrator", 200),
        ("analyst", 200),
        ("reviewer", 404),
        ("focal_point", 404),
        ("other_focal_point", 404),
        ("anonymous", 404),
    ],
)
def test_only_analysts_preview_the_report_of_an_unpublished_round(
    personas: dict[str, Any], review_round: Round, persona: str, status: int
) -> None:
    response = client_for(personas[persona]).get(reverse("round-report", args=[review_round.code]))
    assert response.status_code == status
    if status == 200:
        assert review_round.title.encode() in response.content


def test_anyone_may_read_a_published_rounds_report_and_pdf(published_review_round: Round) -> None:
    review_round = published_review_round
    anonymous = Client()
    assert (
        anonymous.get(reverse("round-report", args=[review_round.code]), {"lang": "fr"}).status_code
        == 200
    )
    pdf = anonymous.get(reverse("round-report-pdf", args=[review_round.code]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("administrator", 200),
        ("analyst", 200),
        ("reviewer", 403),
        ("focal_point", 403),
        ("other_focal_point", 403),
        ("anonymous", 302),
    ],
)
def test_only_analysts_open_the_report_editor(
    personas: dict[str, Any], review_round: Round, persona: str, status: int
) -> None:
    url = reverse("round-report-edit", args=[review_round.code])
    assert client_for(personas[persona]).get(url).status_code == status


HELPLINE = {
    "key": "H1",
    "domain": "D3",
    "question": "C11.status",
    "counts_as": ["yes", "partial"],
    "population": "all",
    "condition": "",
    "subject": "",
    "statement": "have a national child helpline",
    "callout": "on",
}


def edit_url(round_: Round, lang: str = "en") -> str:
    return reverse("round-report-edit", args=[round_.code]) + f"?lang={lang}"


def with_headlines(fields: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The form with its headline rows replaced by ``rows``."""
    kept = {name: value for name, value in fields.items() if not name.startswith("form-")}
    kept.update(
        {
            "form-TOTAL_FORMS": str(len(rows)),
            "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
        }
    )
    for n, row in enumerate(rows):
        kept.update({f"form-{n}-{name}": value for name, value in row.items()})
    return kept


def stored_blocks() -> dict[str, tuple[str, int]]:
    return {block.key: (block.text["en"], block.version) for block in NarrativeBlock.objects.all()}


def headlines_version(round_: Round) -> int:
    return ReportSettings.objects.get(round=round_).headlines_version


def events(verb: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb).order_by("pk"))


@pytest.fixture
def analyst(make_user: Any, review_round: Round) -> Any:
    return make_user("analyst-a", "analyst", round_=review_round)


@pytest.fixture
def other_analyst(make_user: Any, review_round: Round) -> Any:
    return make_user("analyst-b", "analyst", round_=review_round)


@pytest.fixture
def written_round(review_round: Round) -> Round:
    """The round with three narrative blocks and one headline written (outside the editor); the
    others stay unwritten."""
    for key in ("introduction", "key_messages", "call_to_action"):
        save_narrative(review_round, key, f"The {key} as first written.", source="test")
    set_headlines(
        review_round,
        [HeadlineSpec("H1", "C11.status", ("yes", "partial"), {"en": "have a helpline"})],
        source="test",
    )
    return review_round


def test_analyst_saves_headlines_narrative_and_snapshot_and_each_is_recorded(
    analyst: Any, review_round: Round
) -> None:
    client = client_for(analyst)
    fields = editor_fields(client.get(edit_url(review_round)))
    fields["narrative-introduction"] = "Why this round."
    fields["snapshot_exclude"] = "C03, C21"
    response = client.post(edit_url(review_round), with_headlines(fields, [HELPLINE]))
    assert response.status_code == 302
    headline = Headline.objects.get(round=review_round)
    assert (headline.key, headline.question, headline.counts_as, headline.callout) == (
        "H1",
        "C11.status",
        ["yes", "partial"],
        True,
    )
    block = NarrativeBlock.objects.get(round=review_round, key="introduction")
    assert (block.text, block.version) == ({"en": "Why this round."}, 1)
    assert snapshot_exclusions(review_round) == ["C03", "C21"]
    (narrative,) = events("report.narrative")
    assert (narrative.actor, narrative.source, narrative.object_type, narrative.object_id) == (
        analyst,
        "web",
        "reports.narrativeblock",
        str(block.pk),
    )
    assert narrative.detail["new"] == "Why this round." and narrative.detail["version"] == 1
    for verb, detail in (
        ("report.headlines", {"keys": ["H1"], "version": 1}),
        ("report.snapshot_exclude", {"capabilities": ["C03", "C21"]}),
    ):
        (event,) = events(verb)
        assert (event.actor, event.source, event.object_type, event.object_id) == (
            analyst,
            "web",
            "surveys.round",
            str(review_round.pk),
        )
        assert event.detail == detail
    # The other blocks were left empty in the form: nothing is stored for them.
    assert list(
        NarrativeBlock.objects.filter(round=review_round).values_list("key", flat=True)
    ) == ["introduction"]


def test_a_wrong_headline_is_explained_and_nothing_is_saved_nor_lost(
    analyst: Any, review_round: Round
) -> None:
    client = client_for(analyst)
    fields = editor_fields(client.get(edit_url(review_round)))
    fields["narrative-introduction"] = "Not saved, but not lost."
    wrong = {**HELPLINE, "population": "channel=fax"}
    response = client.post(edit_url(review_round), with_headlines(fields, [wrong]))
    assert response.status_code == 200
    assert b"fax" in response.content and b"Nothing was saved" in response.content
    assert not Headline.objects.filter(round=review_round).exists()
    assert not NarrativeBlock.objects.filter(round=review_round).exists()
    # What the analyst typed is still on the page, to correct and save again.
    assert editor_fields(response)["narrative-introduction"] == "Not saved, but not lost."


def test_saving_an_untouched_form_writes_nothing(analyst: Any, written_round: Round) -> None:
    client = client_for(analyst)
    before = AuditEvent.objects.count()
    fields = editor_fields(client.get(edit_url(written_round)))
    response = client.post(edit_url(written_round), fields, follow=True)
    assert b"nothing was saved" in response.content
    assert AuditEvent.objects.count() == before
    assert set(NarrativeBlock.objects.values_list("version", flat=True)) == {1}
    assert headlines_version(written_round) == 1


def test_only_the_changed_block_is_written(analyst: Any, written_round: Round) -> None:
    client = client_for(analyst)
    fields = editor_fields(client.get(edit_url(written_round)))
    fields["narrative-key_messages"] = "Key messages, revised."
    response = client.post(edit_url(written_round), fields, follow=True)
    assert b"Saved: Key messages." in response.content
    versions = dict(NarrativeBlock.objects.values_list("key", "version"))
    assert versions == {"introduction": 1, "key_messages": 2, "call_to_action": 1}
    assert [e.detail["key"] for e in events("report.narrative")][-1:] == ["key_messages"]
    assert len(events("report.narrative")) == 4  # three first writes, one change
    assert len(events("report.headlines")) == 1  # the headlines were not rewritten


def test_two_analysts_change_different_blocks_and_both_changes_land(
    analyst: Any, other_analyst: Any, written_round: Round
) -> None:
    a, b = client_for(analyst), client_for(other_analyst)
    form_a = editor_fields(a.get(edit_url(written_round)))
    form_b = editor_fields(b.get(edit_url(written_round)))
    form_a["narrative-introduction"] = "A's introduction."
    form_b["narrative-call_to_action"] = "1. B's first call.\n2. B's second call."
    assert a.post(edit_url(written_round), form_a).status_code == 302
    assert b.post(edit_url(written_round), form_b).status_code == 302
    texts = {block.key: block.text["en"] for block in NarrativeBlock.objects.all()}
    assert texts == {
        "introduction": "A's introduction.",
        "key_messages": "The key_messages as first written.",
        "call_to_action": "1. B's first call.\n2. B's second call.",
    }
    actors = {e.detail["key"]: e.actor for e in events("report.narrative") if e.actor}
    assert actors == {"introduction": analyst, "call_to_action": other_analyst}


def test_a_stale_block_is_refused_and_the_page_shows_both_texts(
    analyst: Any, other_analyst: Any, written_round: Round
) -> None:
    a, b = client_for(analyst), client_for(other_analyst)
    form_a = editor_fields(a.get(edit_url(written_round)))
    form_b = editor_fields(b.get(edit_url(written_round)))
    form_a["narrative-introduction"] = "A's introduction,\n\nin two paragraphs."
    assert a.post(edit_url(written_round), form_a).status_code == 302
    form_b["narrative-introduction"] = "B's introduction."
    form_b["narrative-key_messages"] = "B's key messages, in the same save."
    before = AuditEvent.objects.count()
    response = b.post(edit_url(written_round), form_b)
    assert response.status_code == 200
    page = response.content.decode()
    assert "changed by analyst-a while you were editing" in page
    assert textarea(response, "narrative-introduction") == "B's introduction."
    assert textarea(response, "narrative-introduction-theirs") == (
        "A's introduction,\n\nin two paragraphs."
    )
    # Nothing of B's save was written, not even the block nobody else had touched.
    assert AuditEvent.objects.count() == before
    stored = {
        block.key: (block.text["en"], block.version) for block in NarrativeBlock.objects.all()
    }
    assert stored["introduction"] == ("A's introduction,\n\nin two paragraphs.", 2)
    assert stored["key_messages"] == ("The key_messages as first written.", 1)
    # The page keeps B's other change, and saving again with "keep mine" stores both of B's.
    again = editor_fields(response)
    assert again["narrative-key_messages"] == "B's key messages, in the same save."
    assert again["narrative-introduction-version"] == "2"
    again["narrative-introduction-choice"] = "mine"
    assert b.post(edit_url(written_round), again).status_code == 302
    stored = {
        block.key: (block.text["en"], block.version) for block in NarrativeBlock.objects.all()
    }
    assert stored["introduction"] == ("B's introduction.", 3)
    assert stored["key_messages"] == ("B's key messages, in the same save.", 2)
    last = events("report.narrative")[-2]
    assert (last.actor, last.detail["key"], last.detail["old"]) == (
        other_analyst,
        "introduction",
        "A's introduction,\n\nin two paragraphs.",
    )


def test_taking_their_text_writes_nothing_for_that_block(
    analyst: Any, other_analyst: Any, written_round: Round
) -> None:
    a, b = client_for(analyst), client_for(other_analyst)
    form_a = editor_fields(a.get(edit_url(written_round)))
    form_b = editor_fields(b.get(edit_url(written_round)))
    form_a["narrative-introduction"] = "A's introduction."
    a.post(edit_url(written_round), form_a)
    form_b["narrative-introduction"] = "B's introduction."
    again = editor_fields(b.post(edit_url(written_round), form_b))
    again["narrative-introduction-choice"] = "theirs"
    response = b.post(edit_url(written_round), again, follow=True)
    assert b"Nothing had changed" in response.content
    block = NarrativeBlock.objects.get(key="introduction")
    assert (block.text["en"], block.version) == ("A's introduction.", 2)


def test_a_conflict_must_be_decided_before_anything_is_saved(
    analyst: Any, other_analyst: Any, written_round: Round
) -> None:
    a, b = client_for(analyst), client_for(other_analyst)
    form_a = editor_fields(a.get(edit_url(written_round)))
    form_b = editor_fields(b.get(edit_url(written_round)))
    form_a["narrative-introduction"] = "A's introduction."
    a.post(edit_url(written_round), form_a)
    form_b["narrative-introduction"] = "B's introduction."
    again = editor_fields(b.post(edit_url(written_round), form_b))
    before = AuditEvent.objects.count()
    response = b.post(edit_url(written_round), again)  # no choice made
    assert response.status_code == 200 and b"choose which text to keep" in response.content
    assert textarea(response, "narrative-introduction-theirs") == "A's introduction."
    assert AuditEvent.objects.count() == before


def test_a_stale_headline_set_is_refused_and_shown_beside_the_users_rows(
    analyst: Any, other_analyst: Any, written_round: Round
) -> None:
    a, b = client_for(analyst), client_for(other_analyst)
    form_a = editor_fields(a.get(edit_url(written_round)))
    form_b = editor_fields(b.get(edit_url(written_round)))
    form_a["form-0-statement"] = "run a helpline (A)"
    assert a.post(edit_url(written_round), form_a).status_code == 302
    form_b["form-0-statement"] = "run a helpline (B)"
    form_b["narrative-introduction"] = "B's introduction."
    response = b.post(edit_url(written_round), form_b)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The headlines were changed while you were editing" in page
    assert "run a helpline (A)" in page  # theirs, in the table
    assert editor_fields(response)["form-0-statement"] == "run a helpline (B)"  # mine
    assert Headline.objects.get().statement == {"en": "run a helpline (A)"}
    assert NarrativeBlock.objects.get(key="introduction").version == 1
    again = editor_fields(response)
    again["headlines-choice"] = "mine"
    assert b.post(edit_url(written_round), again).status_code == 302
    assert Headline.objects.get().statement == {"en": "run a helpline (B)"}
    assert headlines_version(written_round) == 3
    assert events("report.headlines")[-1].actor == other_analyst


def test_untouched_headlines_do_not_overwrite_someone_elses(
    analyst: Any, other_analyst: Any, written_round: Round
) -> None:
    a, b = client_for(analyst), client_for(other_analyst)
    form_a = editor_fields(a.get(edit_url(written_round)))
    form_b = editor_fields(b.get(edit_url(written_round)))
    form_a["form-0-statement"] = "run a helpline (A)"
    a.post(edit_url(written_round), form_a)
    form_b["narrative-introduction"] = "B's introduction."
    assert b.post(edit_url(written_round), form_b).status_code == 302
    assert Headline.objects.get().statement == {"en": "run a helpline (A)"}
    assert len(events("report.headlines")) == 2


def test_a_snapshot_list_changed_meanwhile_is_a_conflict(
    analyst: Any, other_analyst: Any, written_round: Round
) -> None:
    a, b = client_for(analyst), client_for(other_analyst)
    form_a = editor_fields(a.get(edit_url(written_round)))
    form_b = editor_fields(b.get(edit_url(written_round)))
    form_a["snapshot_exclude"] = "C03, C05"
    a.post(edit_url(written_round), form_a)
    form_b["snapshot_exclude"] = "C21"
    response = b.post(edit_url(written_round), form_b)
    assert b"left out of the snapshot were changed" in response.content
    assert snapshot_exclusions(written_round) == ["C03", "C05"]
    again = editor_fields(response)
    again["snapshot_exclude-choice"] = "mine"
    b.post(edit_url(written_round), again)
    assert snapshot_exclusions(written_round) == ["C21"]


def test_a_form_that_carries_no_versions_cannot_overwrite(
    analyst: Any, written_round: Round
) -> None:
    """A page opened before versions existed posts no hidden fields: a difference from the
    stored text is shown as a conflict, an equal text is left alone."""
    data = {
        "form-TOTAL_FORMS": "0",
        "form-INITIAL_FORMS": "0",
        "narrative-introduction": "An old page's text.",
        "narrative-key_messages": "The key_messages as first written.",
        "snapshot_exclude": "C03",
    }
    response = client_for(analyst).post(edit_url(written_round), data)
    assert response.status_code == 200
    assert (
        textarea(response, "narrative-introduction-theirs") == "The introduction as first written."
    )
    assert "narrative-key_messages-conflict" not in editor_fields(response)
    assert NarrativeBlock.objects.get(key="introduction").version == 1


def test_editing_in_french_keeps_the_english_texts(analyst: Any, written_round: Round) -> None:
    client = client_for(analyst)
    response = client.get(edit_url(written_round, "fr"))
    fields = editor_fields(response)
    # A block not yet translated is empty, with the English shown for reference only.
    assert fields["narrative-introduction"] == ""
    assert b"The English text of introduction" in response.content
    fields["narrative-introduction"] = "Pourquoi ce cycle."
    fields["form-0-subject"] = "des pays"
    assert client.post(edit_url(written_round, "fr"), fields).status_code == 302
    block = NarrativeBlock.objects.get(key="introduction")
    assert block.text == {"en": "The introduction as first written.", "fr": "Pourquoi ce cycle."}
    headline = Headline.objects.get()
    assert headline.subject == {"fr": "des pays"}
    # The statement was shown in English and left alone: no English copied into French.
    assert headline.statement == {"en": "have a helpline"}
    assert NarrativeBlock.objects.get(key="key_messages").text == {
        "en": "The key_messages as first written."
    }


def test_an_edit_in_another_language_meanwhile_is_not_a_conflict(
    analyst: Any, other_analyst: Any, written_round: Round
) -> None:
    english = client_for(analyst)
    french = client_for(other_analyst)
    form_en = editor_fields(english.get(edit_url(written_round)))
    form_fr = editor_fields(french.get(edit_url(written_round, "fr")))
    form_fr["narrative-introduction"] = "Pourquoi ce cycle."
    assert french.post(edit_url(written_round, "fr"), form_fr).status_code == 302
    form_en["narrative-introduction"] = "Why this round, revised."
    assert english.post(edit_url(written_round), form_en).status_code == 302
    block = NarrativeBlock.objects.get(key="introduction")
    assert block.text == {"en": "Why this round, revised.", "fr": "Pourquoi ce cycle."}
    assert block.version == 3


@pytest.mark.parametrize("persona", ["reviewer", "focal_point", "other_focal_point"])
def test_only_analysts_of_the_round_save_the_report(
    personas: dict[str, Any], review_round: Round, persona: str
) -> None:
    data = {"form-TOTAL_FORMS": "0", "form-INITIAL_FORMS": "0", "narrative-introduction": "x"}
    response = client_for(personas[persona]).post(edit_url(review_round), data)
    assert response.status_code == 403
    assert not NarrativeBlock.objects.exists()


def test_an_analyst_of_another_round_may_not_edit_this_report(
    make_user: Any, review_round: Round
) -> None:
    from mnr.surveys.actions import create_round

    elsewhere = create_round("other-2021", instrument="mnr-review-2021", title="Other round")
    outsider = make_user("analyst-elsewhere", "analyst", round_=elsewhere)
    # The round is not theirs to see at all.
    assert client_for(outsider).get(edit_url(review_round)).status_code == 404
    edit = ReportEdit(lang="en", blocks=(BlockEdit("introduction", "x", "", 0),))
    with pytest.raises(PermissionDenied):
        save_report_edit(review_round, edit, acting_user=outsider)
    assert not NarrativeBlock.objects.exists()


def test_save_report_edit_collects_every_conflict(
    analyst: Any, other_analyst: Any, written_round: Round
) -> None:
    for key in ("introduction", "call_to_action"):
        save_narrative(written_round, key, f"{key} by A", acting_user=analyst)
    edit = ReportEdit(
        lang="en",
        blocks=tuple(
            BlockEdit(key, f"{key} by B", f"The {key} as first written.", 1)
            for key in ("introduction", "key_messages", "call_to_action")
        ),
    )
    with pytest.raises(ReportConflicts) as refused:
        save_report_edit(written_round, edit, acting_user=other_analyst)
    assert [c.key for c in refused.value.conflicts] == ["introduction", "call_to_action"]  # type: ignore[attr-defined]
    assert [c.text for c in refused.value.conflicts] == [  # type: ignore[attr-defined]
        "introduction by A",
        "call_to_action by A",
    ]
    assert NarrativeBlock.objects.get(key="key_messages").version == 1


def test_vega_embed_is_served_locally() -> None:
    response = Client().get(reverse("vega-embed-js"))
    assert response.status_code == 200
    assert b"vegaEmbed" in response.content
