"""The interface's texts written in Python (choice labels, label tables, form labels, messages,
403 reasons) go through gettext when a page is made, not once at import: a page in French shows
them in French.

Most tests check the mechanism without the catalogue: the labels are lazy, and with gettext
replaced by a marker the texts of a page come out marked. The last ones read the French
catalogue itself (they pass once the compendium /work/notes/i18n/i18n_py.fr.po is merged).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from django import forms
from mnr.accounts.models import Role
from mnr.core.respondents import CONFIDENCE_LEVELS
from mnr.errors import MnrError
from mnr.jurisdictions.models import Jurisdiction
from mnr.maturity import service as maturity_service
from mnr.maturity.models import PlanItem
from mnr.publications.models import RenderedReport
from mnr.reports.models import NarrativeBlock
from mnr.surveys.models import Round, Submission
from mnr.web import (
    dashboard,
    labels,
    library,
    manage,
    manage_forms,
    maturity_pages,
    maturity_views,
    questionnaire,
    submission_list,
)
from mnr.web.action_messages import FIXED_MESSAGES, shown
from mnr.web.templatetags import mnr as mnr_tags

SRC = Path(__file__).resolve().parents[2] / "src" / "mnr"

CHOICES: list[type[models.TextChoices]] = [
    Role,
    Round.Status,
    Submission.Status,
    PlanItem.Status,
    Jurisdiction.Kind,
    NarrativeBlock.Key,
    RenderedReport.Status,
]

# Every table of labels the pages show, by where it is defined.
LABEL_TABLES: dict[str, Mapping[Any, Any]] = {
    "dashboard.SHORT_STATUSES": dict(dashboard.SHORT_STATUSES),
    "submission_list.SORTS": submission_list.SORTS,
    "templatetags.mnr.BREAKDOWN_NAMES": mnr_tags.BREAKDOWN_NAMES,
    "library.KINDS": library.KINDS,
    "questionnaire.FIELD_NAMES": questionnaire.FIELD_NAMES,
    "questionnaire.CONFIDENCE_LABELS": questionnaire.CONFIDENCE_LABELS,
    "maturity_pages.FIELD_LABELS": maturity_pages.FIELD_LABELS,
    "maturity_pages.BREAKDOWN_LABELS": maturity_pages.BREAKDOWN_LABELS,
    "maturity_views.GROUP_LABELS": maturity_views.GROUP_LABELS,
    "manage.STATUS_BUTTONS": manage.STATUS_BUTTONS,
    "labels.REGION_NAMES": labels.REGION_NAMES,
}

MANAGE_FORMS: list[type[forms.Form]] = [
    manage_forms.GrantForm,
    manage_forms.InvitationForm,
    manage_forms.SignUpForm,
    manage_forms.RoundForm,
    manage_forms.DatesForm,
    manage_forms.ParticipantsForm,
    manage_forms.PhaseForm,
]

MARK = "\u27e6{}\u27e7"  # ⟦text⟧


@pytest.fixture
def marked() -> Iterator[None]:
    """gettext (and ngettext) replaced by a marker: a text that went through them at the
    moment the page was made comes out as ⟦text⟧."""
    from django.utils.translation import _trans

    def plural(singular: str, plural: str, number: int) -> str:
        return MARK.format(singular if number == 1 else plural)

    with (
        mock.patch.object(_trans, "gettext", lambda message: MARK.format(message)),
        mock.patch.object(_trans, "ngettext", plural),
    ):
        yield


@pytest.mark.parametrize("choices", CHOICES, ids=lambda c: c.__qualname__)
def test_choice_labels_are_translated_when_shown(choices: type[models.TextChoices]) -> None:
    assert all(isinstance(member.label, Promise) for member in choices), choices


@pytest.mark.parametrize("name", sorted(LABEL_TABLES))
def test_each_label_table_is_built_with_lazy_translation(name: str) -> None:
    table = LABEL_TABLES[name]
    assert table, name
    english = {key: label for key, label in table.items() if not isinstance(label, Promise)}
    assert not english, f"{name} holds labels frozen in English: {english}"


def test_the_confidence_labels_name_every_level_as_before() -> None:
    with translation.override("en"):
        shown = {code: str(label) for code, label in questionnaire.CONFIDENCE_LABELS.items()}
    assert shown == dict(CONFIDENCE_LEVELS)


def test_every_region_of_the_reference_file_has_a_name_on_screen() -> None:
    with (SRC / "jurisdictions" / "data" / "jurisdictions.csv").open(encoding="utf-8") as file:
        regions = {row["region"] for row in csv.DictReader(file)} - {""}
    assert regions == set(labels.REGION_NAMES)
    with translation.override("en"):
        assert all(labels.region_name(region) == region for region in regions)
    assert labels.region_name("Atlantis") == "Atlantis"


def test_the_accepted_file_types_read_on_the_page_as_the_check_names_them() -> None:
    from mnr.core.evidence import ACCEPTED
    from mnr.evidence.templatetags.evidence import ACCEPTED_SHOWN

    assert isinstance(ACCEPTED_SHOWN, Promise)
    with translation.override("en"):
        assert str(ACCEPTED_SHOWN) == ACCEPTED


def test_the_maturity_breakdowns_each_have_a_label() -> None:
    assert set(maturity_pages.BREAKDOWN_LABELS) == set(maturity_service.GROUP_BREAKDOWNS)
    assert set(maturity_views.GROUP_LABELS) == set(maturity_service.GROUP_BREAKDOWNS)


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", MANAGE_FORMS, ids=lambda f: f.__name__)
def test_every_field_of_the_manage_forms_has_a_translatable_label(
    form_class: Callable[[], forms.Form],
) -> None:
    """A field without a label would show Django's name for it (``Title``), never
    translated."""
    form = form_class()
    for name, field in form.fields.items():
        assert isinstance(field.label, Promise), f"{form_class}.{name}: {field.label!r}"
        assert field.help_text == "" or isinstance(field.help_text, Promise), name


@pytest.mark.django_db
def test_status_labels_are_read_in_the_language_of_the_moment(marked: None) -> None:
    """Built at import, the tables still give each page its own language."""
    assert str(Submission.Status.DRAFT.label) == "⟦Draft⟧"
    assert [str(label) for _, label in dashboard.SHORT_STATUSES] == [
        "⟦Draft⟧",
        "⟦Submitted⟧",
        "⟦Returned⟧",
        "⟦Validated⟧",
    ]
    assert str(submission_list.SORTS["updated"]) == "⟦Last change⟧"
    assert labels.group_name("Europe", "region") == "⟦Europe⟧"


@pytest.mark.django_db
def test_a_403_reason_and_the_form_labels_go_through_gettext(marked: None, settings: Any) -> None:
    settings.DEBUG = False
    client = Client()
    client.force_login(get_user_model().objects.create_user("nobody", password="x" * 12))
    refused = client.get(reverse("manage-users"))
    assert refused.status_code == 403
    assert "⟦Only administrators manage users, roles and phases.⟧" in refused.content.decode()
    form = manage_forms.SignUpForm()
    assert str(form.fields["username"].label) == "⟦Username⟧"
    assert str(form.fields["password_again"].label) == "⟦Password again⟧"


def test_a_fixed_refusal_of_an_action_is_translated_where_shown(marked: None) -> None:
    assert shown(MnrError("choose a username")) == "⟦choose a username⟧"
    named = MnrError("a user 'amina' exists already")
    assert shown(named) == "a user 'amina' exists already"


def test_each_fixed_refusal_listed_is_one_an_action_raises() -> None:
    """The list follows the actions: a message reworded there is no longer listed as it was."""
    sources = "".join(path.read_text(encoding="utf-8") for path in SRC.glob("*/actions.py"))
    stale = [m for m in FIXED_MESSAGES if f'MnrError("{m}")' not in sources]
    assert not stale, stale


# --- With the French catalogue (after the compendium is merged into src/mnr/locale) ------------


@pytest.mark.django_db
def test_in_french_the_python_texts_are_french() -> None:
    with translation.override("fr"):
        assert str(Submission.Status.DRAFT.label) == "Brouillon"
        assert str(Submission.Status.VALIDATED.label) == "Validée"
        assert str(Role.FOCAL_POINT.label) == "Point focal"
        assert str(submission_list.SORTS["updated"]) == "Dernière modification"
        assert str(library.KINDS["lessons_learned"]) == "Enseignements tirés"
        assert str(manage_forms.SignUpForm().fields["password_again"].label) == (
            "Confirmez le mot de passe"
        )


@pytest.mark.django_db
def test_a_403_page_in_french_gives_its_reason_in_french(settings: Any) -> None:
    settings.DEBUG = False
    client = Client(headers={"accept-language": "fr"})
    client.force_login(get_user_model().objects.create_user("personne", password="x" * 12))
    refused = client.get(reverse("manage-users"))
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "Seuls les administrateurs gèrent les utilisateurs, les rôles et les phases." in html
    assert "Only administrators" not in html
