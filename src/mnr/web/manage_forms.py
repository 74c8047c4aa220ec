"""Forms of the administration pages: they check what a browser can get wrong (required fields,
formats, choices) next to each field; the actions check the rest."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from django import forms
from mnr.accounts.models import Role
from mnr.core.framework import text as label_text
from mnr.frameworks.models import Channel, Instrument
from mnr.jurisdictions.models import IncomeClassification, Jurisdiction
from mnr.surveys.models import Round
from mnr.web.i18n import ui_language

EVERY = ""


def channel_choices() -> list[tuple[str, str]]:
    return [
        (code, label_text(label, ui_language()) or code)
        for code, label in Channel.objects.order_by("code").values_list("code", "label")
    ]


def jurisdiction_choices() -> list[tuple[str, str]]:
    lang = ui_language()
    places = sorted(Jurisdiction.objects.all(), key=lambda j: j.name(lang))
    return [(j.code, f"{j.name(lang)} ({j.code})") for j in places]


class Form(forms.Form):
    """Labels without Django's trailing colon, as on the rest of the site."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ScopeForm(Form):
    """Where a role holds; blank fields mean every jurisdiction, round, channel, respondent."""

    jurisdiction = forms.ChoiceField(
        required=False,
        label=_("Jurisdiction"),
        help_text=_("Required for a focal point, who speaks for one jurisdiction."),
    )
    round = forms.ChoiceField(required=False, label=_("Round"), help_text=_("Blank: every round."))
    channel = forms.ChoiceField(
        required=False,
        label=_("Channel"),
        help_text=_("Focal points only. Blank: every channel of the round."),
    )
    respondent = forms.SlugField(
        required=False,
        max_length=60,
        label=_("Respondent"),
        help_text=_(
            "Focal points only: one organisation of the jurisdiction, such as police. "
            "Blank: the lead, who answers for every respondent."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["jurisdiction"].choices = [
            (EVERY, _("Every jurisdiction")),
            *jurisdiction_choices(),
        ]
        fields["round"].choices = [
            (EVERY, _("Every round")),
            *((r.code, r.title) for r in Round.objects.order_by("code")),
        ]
        fields["channel"].choices = [(EVERY, _("Every channel")), *channel_choices()]

    def scope_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "jurisdiction": Jurisdiction.objects.filter(code=data["jurisdiction"]).first(),
            "round": Round.objects.filter(code=data["round"]).first(),
            "respondent": data["respondent"],
            "channel": data["channel"],
        }


class GrantForm(ScopeForm):
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose a role")), *Role.choices])

    field_order = ["role", "jurisdiction", "round", "channel", "respondent"]


class InvitationForm(ScopeForm):
    email = forms.EmailField(label=_("Email address"))
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Roles"),
        help_text=_("Each role is given in the scope below."),
    )

    field_order = ["email", "roles", "jurisdiction", "round", "channel", "respondent"]


class SignUpForm(Form):
    username = forms.CharField(
        max_length=150,
        label=_("Username"),
        help_text=_("Letters, digits and @ . + - _ only."),
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        label=_("Password"),
        help_text=_(
            "At least 12 characters, not a common password, not only digits, not like your "
            "username."
        ),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class RoundForm(Form):
    code = forms.SlugField(
        max_length=60,
        label=_("Code"),
        help_text=_("Short name in addresses, e.g. review-2025."),
    )
    title = forms.CharField(max_length=200, label=_("Title"))
    instrument = forms.ChoiceField(label=_("Instrument"))
    channels = forms.CharField(
        required=False,
        label=_("Channels in priority order"),
        help_text=_(
            "Channel codes separated by commas, the first wins where several answered; "
            "blank: the instrument's order."
        ),
    )
    income_fiscal_year = forms.TypedChoiceField(coerce=int, label=_("Income classification year"))
    synthetic = forms.BooleanField(
        required=False, label=_("Synthetic data (a demonstration or test round)")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["instrument"].choices = [
            (code, code)
            for code in Instrument.objects.order_by("code")
            .values_list("code", flat=True)
            .distinct()
        ]
        years = sorted(
            set(IncomeClassification.objects.values_list("fiscal_year", flat=True)), reverse=True
        )
        fields["income_fiscal_year"].choices = [(y, f"FY{y}") for y in years]

    def clean_channels(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["channels"].split(",") if c.strip()]


class DatesForm(Form):
    opens_on = forms.DateField(
        required=False, label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        required=False, label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ParticipantsForm(Form):
    jurisdictions = forms.CharField(
        label=_("Jurisdiction codes"),
        help_text=_(
            "ISO 3166-1 alpha-2 codes or listed non-country codes, separated by commas "
            "or spaces (e.g. KE, SE, GB-EAW)."
        ),
    )

    def clean_jurisdictions(self) -> list[str]:
        text = self.cleaned_data["jurisdictions"].replace(",", " ")
        return [code.strip().upper() for code in text.split() if code.strip()]


class PhaseForm(Form):
    name = forms.CharField(max_length=100, label=_("Name (English)"))
    provisional = forms.BooleanField(required=False, label=_("Still provisional"))
