"""Who answers: ISO 3166-1 countries, non-country jurisdictions, and their classifications."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mnr.core.framework import text as label_text
from mnr.core.reference import INCOME_GROUPS


class Jurisdiction(models.Model):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        NON_COUNTRY = "non_country", _("Non-country jurisdiction")
        # Pseudonymous jurisdictions of demo and benchmark rounds; never real countries.
        SYNTHETIC = "synthetic", _("Synthetic (demo)")

    code = models.CharField(max_length=10, unique=True)
    alpha3 = models.CharField(max_length=3, blank=True)
    numeric = models.CharField(max_length=3, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # {"en": "Kenya", "fr": "Kenya", ...}
    names = models.JSONField(default=dict)
    region_code = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=100, blank=True)
    subregion_code = models.CharField(max_length=3, blank=True)
    subregion = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name()}"

    def name(self, lang: str = "en") -> str:
        return label_text(self.names, lang) or self.code


class IncomeClassification(models.Model):
    """A World Bank income group for one fiscal year (FY2021 = the July 2020 classification)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="income_classifications"
    )
    fiscal_year = models.PositiveSmallIntegerField()
    income_group = models.CharField(max_length=3, choices=[(g, g) for g in INCOME_GROUPS])
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["jurisdiction", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "fiscal_year"], name="one_income_group_per_year"
            ),
            models.CheckConstraint(
                condition=Q(income_group__in=INCOME_GROUPS), name="known_income_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction.code} FY{self.fiscal_year} {self.income_group}"
