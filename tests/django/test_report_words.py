"""The report's words: the analyst's phrase per headline (stored, checked, frozen, used), the
demo's headlines worded as the 2021 review worded them, and codes named in words."""

from __future__ import annotations

import re
from html import escape
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from tests.report_editor import editor_fields

from mnr.demo import REPORT_DATA, load_demo
from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.models import Publication
from mnr.reports.actions import (
    HeadlineSpec,
    editor_headlines,
    read_headlines_csv,
    set_headlines,
)
from mnr.reports.builder import build_report, population_text, quote_attribution
from mnr.reports.models import Headline
from mnr.reports.render import render_html
from mnr.reports.texts import texts
from mnr.surveys.actions import AnswerInput, open_submission, save_answers
from mnr.surveys.models import Round

pytestmark = pytest.mark.django_db

# The review's own wording of each figure (the review_phrase column of the published figures;
# "..." stands for the subject the review wrote there).
REVIEW_PHRASES = {
    "F01": "Over three-quarters",
    "F02": "almost two-thirds",
    "F03": "Over three-quarters",
    "F04": "all 15",
    "F05": "all 15",
    "F06": "only 8",
    "F07": "most",
    "F08": "All 42",
    "F09": "almost all",
    "F10": "Almost three-quarters",
    "F11": "The 12 ... are",
    "F12": "Two-thirds",
    "F13": "Of the 13 ..., 92 per cent (12)",
    "F14": "one-third",
    "F15": "Over two-thirds",
    "F16": "Most",
    "F17": "Most",
    "F18": "Almost all",
    "F19": "Most",
    "F20": "Over three-quarters",
    "F21": "over two-thirds",
    "F22": "Over half",
    "F23": "The 17 ... are",
    "F24": "Over two-thirds",
    "F25": "over half",
    "F26": "almost all",
}


def reads_as(sentence: str, review_phrase: str) -> bool:
    """Whether the sentence opens with the review's wording: its first part at the start (the
    review capitalises by position), the parts after each "..." in order after it."""
    first, *others = [part.strip() for part in review_phrase.split("...")]
    if not sentence.lower().startswith(first.lower()):
        return False
    at = len(first)
    for part in others:
        found = sentence.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


def test_the_reading_check_can_fail() -> None:
    assert reads_as("The 12 jurisdictions without it (100 per cent) are LMIC.", "The 12 ... are")
    assert not reads_as("All jurisdictions without it (100 per cent) are LMIC.", "The 12 ... are")
    assert not reads_as("Most jurisdictions (90 per cent) have it.", "almost all")


@pytest.fixture(scope="module")
def demo_words(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    """The demo report's sentences in each language; and, after F12's phrase is changed in the
    live round, the published report's and the preview's F12 sentences."""
    words: dict[str, Any] = {}
    with django_db_blocker.unblock(), transaction.atomic():
        load_demo()
        round_ = Round.objects.get(code="review-2021")
        for lang in ("en", "fr", "es"):
            report = build_report(round_, lang)
            words[lang] = {row.key: str(row.sentence) for row in report.annex_figures}
            words[f"{lang}-population"] = {row.key: row.population for row in report.annex_figures}
            words[f"{lang}-html"] = render_html(report)
            # Quotes sit under their domain or, with sub-headings, under their capability.
            places = [
                place
                for domain in report.domains
                for place in [domain, *getattr(domain, "capabilities", [])]
            ]
            words[f"{lang}-quotes"] = [
                quote for place in places for quote in [*place.good_practice, *place.challenges]
            ]
        words["published"] = Publication.objects.filter(round=round_).latest("number").report
        Headline.objects.filter(round=round_, key="F12").update(phrase="")
        words["F12 published"] = str(
            next(r for r in build_report(round_).annex_figures if r.key == "F12").sentence
        )
        words["F12 preview"] = str(
            next(
                r for r in build_report(round_, preview=True).annex_figures if r.key == "F12"
            ).sentence
        )
        transaction.set_rollback(True)
    return words


@pytest.mark.parametrize("key", sorted(REVIEW_PHRASES))
def test_each_demo_headline_reads_as_the_review_worded_it(
    demo_words: dict[str, Any], key: str
) -> None:
    sentence = demo_words["en"][key]
    assert reads_as(sentence, REVIEW_PHRASES[key]), sentence


def test_the_demo_headlines_use_the_phrases_in_french_and_spanish(
    demo_words: dict[str, Any],
) -> None:
    assert demo_words["fr"]["F13"].startswith("Sur les 13 ")
    assert "92 pour cent (12)" in demo_words["fr"]["F13"]
    assert demo_words["es"]["F13"].startswith("De las 13 ")
    assert demo_words["fr"]["F12"].startswith("Les deux tiers des ")
    assert demo_words["es"]["F06"].startswith("Solo 8 ")
    assert demo_words["fr"]["F04"].startswith("L'ensemble des 15 ")


def test_the_chosen_phrase_is_frozen_with_the_publication(demo_words: dict[str, Any]) -> None:
    frozen = {h["key"]: h["phrase"] for h in demo_words["published"]["headlines"]}
    assert frozen["F12"] == "two-thirds" and frozen["F13"] == "of the N"
    # Emptied in the live round afterwards: the published report keeps the frozen choice, the
    # preview shows the default.
    assert demo_words["F12 published"].startswith("Two-thirds of participating jurisdictions")
    assert demo_words["F12 preview"].startswith("Over two-thirds of participating jurisdictions")


# --- choosing a phrase ------------------------------------------------------------------------


@pytest.fixture
def answered(review_round: Round) -> Round:
    """Two of the three participants have a helpline (67 per cent, 2 of 3)."""
    for code, value in (("KE", "yes"), ("SE", "partial"), ("GB-EAW", "no")):
        submission = open_submission(
            review_round, Jurisdiction.objects.get(code=code), "government"
        )
        save_answers(submission, {"C11.status": AnswerInput(value=value)}, source="test")
    return review_round


def helpline(phrase: str, key: str = "H1") -> HeadlineSpec:
    return HeadlineSpec(
        key=key,
        question="C11.status",
        counts_as=("yes", "partial"),
        statement={"en": "have a helpline"},
        phrase=phrase,
    )


def test_a_phrase_that_contradicts_the_share_is_refused_naming_the_headline(
    answered: Round,
) -> None:
    with pytest.raises(MnrError) as error:
        set_headlines(answered, [helpline("two-thirds"), helpline("all", "H2")], source="test")
    message = str(error.value)
    assert "headline 2 (H2): the phrase 'all' does not fit 2 of 3" in message
    assert "exactly 100 per cent" in message and "'two-thirds'" in message
    assert "headline 1" not in message
    assert not Headline.objects.filter(round=answered).exists()


def test_an_unknown_phrase_is_refused(answered: Round) -> None:
    with pytest.raises(MnrError, match="headline 1 \\(H1\\): unknown phrase 'loads'"):
        set_headlines(answered, [helpline("loads")], source="test")


def test_a_fitting_phrase_is_stored_and_read_back(answered: Round) -> None:
    set_headlines(answered, [helpline("two-thirds"), helpline("", "H2")], source="test")
    assert [h.phrase for h in Headline.objects.filter(round=answered)] == ["two-thirds", ""]
    assert [spec.phrase for spec in editor_headlines(answered, "en")] == ["two-thirds", ""]


def test_the_headlines_csv_reads_its_phrase_column() -> None:
    specs = {
        spec.key: spec.phrase
        for spec in read_headlines_csv(REPORT_DATA / "review-2021-headlines.csv")
    }
    assert specs["F12"] == "two-thirds" and specs["F06"] == "only N" and len(specs) == 26


def test_a_headlines_csv_without_the_phrase_column_keeps_the_default(tmp_path: Any) -> None:
    path = tmp_path / "headlines.csv"
    path.write_text(
        "key,domain,question,counts_as,population,subject,statement,callout\n"
        "H1,,C11.status,yes|partial,all,,have a helpline,no\n",
        encoding="utf-8",
    )
    assert [spec.phrase for spec in read_headlines_csv(path)] == [""]


def edit_url(round_: Round) -> str:
    return reverse("round-report-edit", args=[round_.code]) + "?lang=en"


def test_the_editor_offers_the_phrases_previews_and_saves_the_choice(
    make_user: Any, answered: Round
) -> None:
    set_headlines(answered, [helpline("")], source="test")
    client = Client()
    client.force_login(make_user("analyst-w", "analyst", round_=answered))
    page = client.get(edit_url(answered))
    html = page.content.decode()
    assert 'name="form-0-phrase"' in html
    assert "Default for the share" in html and "Two-thirds of …" in html
    fields = editor_fields(page)
    assert fields["form-0-phrase"] == ""
    fields["form-0-phrase"] = "all"
    preview = client.post(edit_url(answered), {**fields, "preview": "1"}).content.decode()
    assert "No sentence: the phrase &#x27;all&#x27; does not fit 2 of 3" in preview
    fields["form-0-phrase"] = "two-thirds"
    preview = client.post(edit_url(answered), {**fields, "preview": "1"}).content.decode()
    assert "Two-thirds of participating jurisdictions (67 per cent, 2 of 3) have a helpline." in (
        preview
    )
    assert client.post(edit_url(answered), fields).status_code == 302
    assert Headline.objects.get(round=answered, key="H1").phrase == "two-thirds"


def test_the_editor_refuses_a_contradicting_phrase_and_saves_nothing(
    make_user: Any, answered: Round
) -> None:
    set_headlines(answered, [helpline("")], source="test")
    client = Client()
    client.force_login(make_user("analyst-w", "analyst", round_=answered))
    fields = editor_fields(client.get(edit_url(answered)))
    fields["form-0-phrase"] = "none"
    response = client.post(edit_url(answered), fields, follow=True)
    assert "the phrase &#x27;none&#x27; does not fit 2 of 3" in response.content.decode()
    assert Headline.objects.get(round=answered, key="H1").phrase == ""


# --- codes in words ---------------------------------------------------------------------------

RULE_CODES = re.compile(r"=|;then|\bthen\b|\b(HIC|LMIC|UMC|LMC|LIC)\b|_")


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_the_annex_names_every_population_in_words(demo_words: dict[str, Any], lang: str) -> None:
    for key, words in demo_words[f"{lang}-population"].items():
        assert not RULE_CODES.search(words), (key, words)
    html = demo_words[f"{lang}-html"]
    assert "all;then" not in html and "channel=unicef_country_office" not in html
    assert "income=HIC" not in html


def test_the_demo_populations_read_as_sentences(demo_words: dict[str, Any]) -> None:
    en, fr, es = (demo_words[f"{lang}-population"] for lang in ("en", "fr", "es"))
    assert en["F11"] == (
        "participating jurisdictions that answered; of those answering no, "
        "the share that are not high-income"
    )
    assert en["F07"] == "jurisdictions that answered through UNICEF country offices"
    assert en["F04"] == "high-income jurisdictions that answered"
    assert fr["F13"] == (
        "juridictions participantes ayant répondu\u00a0; parmi celles ayant répondu non, "
        "la part de celles qui ne sont pas à revenu élevé"
    )
    assert es["F07"] == "jurisdicciones que respondieron a través de las oficinas de país de UNICEF"


@pytest.mark.parametrize(
    ("rule", "lang", "words"),
    [
        ("region=Americas", "en", "jurisdictions in the Americas that answered"),
        ("region=Americas", "fr", "juridictions des Amériques ayant répondu"),
        ("region=Americas", "es", "jurisdicciones de las Américas que respondieron"),
        (
            "income-group!=UMC",
            "en",
            "participating jurisdictions that answered, other than upper-middle-income",
        ),
        (
            "region!=Europe",
            "fr",
            "juridictions participantes ayant répondu, à l'exception de celles d'Europe",
        ),
        (
            "all;then region=Africa",
            "es",
            "jurisdicciones participantes que respondieron; entre "
            "las que respondieron sí, la proporción de las que están en África",
        ),
        (
            "channel=government;then channel!=government",
            "en",
            "jurisdictions that answered "
            "through government representatives; of those answering yes, the share that answered "
            "other than through government representatives",
        ),
        # Extra spaces read the same: the one parser of the rule language reads it.
        (
            "all ;then income != HIC",
            "en",
            "participating jurisdictions that answered; of those "
            "answering yes, the share that are not high-income",
        ),
    ],
)
def test_population_rules_in_words(rule: str, lang: str, words: str) -> None:
    assert population_text(rule, ("yes",), texts(lang), {}) == words


def test_a_malformed_population_rule_is_not_put_into_words() -> None:
    with pytest.raises(ValueError, match="is not 'all'"):
        population_text("all;then shoe=size", ("yes",), texts("en"), {})


@pytest.mark.parametrize(
    ("income", "region", "lang", "words"),
    [
        ("UMC", "Americas", "en", "an upper-middle-income jurisdiction in the Americas"),
        ("HIC", "Europe", "en", "a high-income jurisdiction in Europe"),
        ("LMC", None, "en", "a lower-middle-income jurisdiction"),
        (None, "Asia", "en", "a jurisdiction in Asia"),
        (None, None, "en", "a participating jurisdiction"),
        ("UMC", "Americas", "fr", "une juridiction à revenu intermédiaire supérieur des Amériques"),
        (None, "Africa", "fr", "une juridiction d'Afrique"),
        ("LIC", "Africa", "es", "una jurisdicción de ingreso bajo de África"),
        (None, "Americas", "es", "una jurisdicción de las Américas"),
    ],
)
def test_quote_attributions_are_whole_phrases(
    income: str | None, region: str | None, lang: str, words: str
) -> None:
    quote = {"income_group": income, "region": region}
    assert quote_attribution(quote, texts(lang)) == words


def test_every_region_income_group_and_channel_has_its_words() -> None:
    regions = {p.region for p in Jurisdiction.objects.all() if p.region}
    assert regions  # the reference data is loaded
    for lang in ("en", "fr", "es"):
        wording = texts(lang)
        own = {key for key, value in wording.items() if texts("en").get(key) != value}
        for region in regions:
            assert f"region_in.{region}" in wording and f"region_of.{region}" in wording
        for group in ("HIC", "UMC", "LMC", "LIC", "LMIC", "unknown"):
            assert f"jurisdiction_income.{group}" in wording
        for channel in ("government", "unicef_country_office", "civil_society"):
            assert f"channel_through.{channel}" in wording
            assert lang == "en" or f"channel_through.{channel}" in own


@pytest.mark.parametrize("lang", ["en", "fr", "es"])
def test_quotes_are_marked_as_english_originals(demo_words: dict[str, Any], lang: str) -> None:
    quotes = demo_words[f"{lang}-quotes"]
    assert quotes and all(quote.lang == "en" for quote in quotes)
    html = demo_words[f"{lang}-html"]
    for quote in quotes:
        assert f'<p lang="en">{escape(quote.text)}</p>' in html
    assert "a upper" not in html and "in Americas" not in html


def test_only_texts_marked_publishable_are_quoted(review_round: Round) -> None:
    from tests.publishing import validate_and_publish

    for code, text, publishable in (
        ("KE", "[Synthetic] The helpline answers by chat at night.", True),
        ("SE", "[Synthetic] A private note on the helpline's budget.", False),
    ):
        submission = open_submission(
            review_round, Jurisdiction.objects.get(code=code), "government"
        )
        save_answers(
            submission,
            {"C11.good_practice": AnswerInput(value=text, publishable=publishable)},
            source="test",
        )
    validate_and_publish(review_round)
    report = build_report(review_round, "fr")
    html = render_html(report)
    assert '<p lang="en">[Synthetic] The helpline answers by chat at night.</p>' in html
    assert "private note" not in html


def test_headlines_saved_meanwhile_show_their_phrase(make_user: Any, answered: Round) -> None:
    set_headlines(answered, [helpline("")], source="test")
    a, b = Client(), Client()
    a.force_login(make_user("analyst-a", "analyst", round_=answered))
    b.force_login(make_user("analyst-b", "analyst", round_=answered))
    form_a, form_b = (editor_fields(c.get(edit_url(answered))) for c in (a, b))
    form_a["form-0-phrase"] = "two-thirds"
    form_b["form-0-statement"] = "run a helpline"
    assert a.post(edit_url(answered), form_a).status_code == 302
    page = b.post(edit_url(answered), form_b).content.decode()
    theirs = page[page.index('class="headlines theirs"') : page.index("</table>")]
    assert "<td>Two-thirds of …</td>" in theirs
    assert Headline.objects.get(round=answered, key="H1").statement["en"] == "have a helpline"


def test_the_participation_annex_names_channels_with_their_article(
    demo_words: dict[str, Any],
) -> None:
    assert "<td>answered through UNICEF country offices</td>" in demo_words["en-html"]
    assert "<td>answered through government representatives</td>" in demo_words["en-html"]
    fr = "<td>ont répondu par l&#x27;intermédiaire des bureaux de pays de l&#x27;UNICEF</td>"
    assert fr in demo_words["fr-html"]
    assert (
        "<td>respondieron a través de las oficinas de país de UNICEF</td>" in demo_words["es-html"]
    )
