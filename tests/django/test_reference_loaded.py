from __future__ import annotations

import pytest

from mnr.errors import MnrError
from mnr.frameworks.models import Capability, Edition, Instrument, InstrumentQuestion, Phase
from mnr.jurisdictions import codes
from mnr.jurisdictions.classification import income_groups, region_of
from mnr.jurisdictions.models import Jurisdiction

pytestmark = pytest.mark.django_db


def test_migrate_loads_the_mnr_edition_with_21_capabilities_and_4_phases() -> None:
    edition = Edition.objects.get(code="mnr-2016")
    assert edition.domains.count() == 6
    assert Capability.objects.filter(edition=edition).count() == 21
    assert list(Phase.objects.filter(edition=edition).values_list("level", flat=True)) == [
        1,
        2,
        3,
        4,
    ]


def test_2021_instrument_asks_takedown_and_reporting_together() -> None:
    instrument = Instrument.objects.get(code="mnr-review-2021")
    question = InstrumentQuestion.objects.get(instrument=instrument, code="C16-17.status")
    assert sorted(question.capabilities.values_list("code", flat=True)) == ["C16", "C17"]
    assert not InstrumentQuestion.objects.filter(instrument=instrument, code="C16.status").exists()


def test_laws_adequate_is_asked_only_through_unicef_country_offices() -> None:
    question = InstrumentQuestion.objects.get(
        instrument__code="mnr-review-2021", code="C03.laws_adequate"
    )
    assert question.asked_of("unicef_country_office")
    assert not question.asked_of("government")


def test_every_capability_is_reached_by_the_2021_crosswalk() -> None:
    covered = set(
        Capability.objects.filter(
            instrument_questions__instrument__code="mnr-review-2021"
        ).values_list("code", flat=True)
    )
    assert covered == {f"C{n:02d}" for n in range(1, 22)}


def test_england_and_wales_takes_the_united_kingdoms_income_group() -> None:
    england_and_wales = Jurisdiction.objects.get(code="GB-EAW")
    assert england_and_wales.parent is not None and england_and_wales.parent.code == "GB"
    assert income_groups([england_and_wales], 2021) == {"GB-EAW": "HIC"}
    assert region_of(england_and_wales) == "Europe"


def test_fy2021_income_groups_are_loaded_for_known_countries() -> None:
    countries = Jurisdiction.objects.filter(code__in=["SE", "KE", "BR", "NP"])
    assert income_groups(countries, 2021) == {"SE": "HIC", "KE": "LMC", "BR": "UMC", "NP": "LMC"}


@pytest.mark.parametrize(
    ("given", "stored"),
    [("KE", "KE"), ("KEN", "KE"), ("404", "KE"), ("8", "AL"), ("008", "AL"), ("826", "GB"),
     ("XK", "XK"), ("XKX", "XK"), ("GB-EAW", "GB-EAW"), (" SWE ", "SE")],
)
def test_every_loaded_jurisdiction_resolves_from_its_codes(given: str, stored: str) -> None:
    assert codes.resolve(given, where="test") == stored


def test_every_alpha3_and_numeric_code_of_the_reference_data_resolves() -> None:
    rows = Jurisdiction.objects.exclude(kind=Jurisdiction.Kind.NON_COUNTRY).values_list(
        "code", "alpha3", "numeric"
    )
    spellings = {spelling: code for code, *others in rows for spelling in others if spelling}
    assert len(spellings) > 2 * 249
    assert codes.resolve_all(spellings, where="test") == list(dict.fromkeys(spellings.values()))


def test_an_unknown_code_names_itself_and_where_it_came_from() -> None:
    with pytest.raises(MnrError) as raised:
        codes.resolve("ANT", where="answers.csv: row 4")
    assert str(raised.value) == (
        "answers.csv: row 4: unknown jurisdiction 'ANT'; use an ISO 3166-1 alpha-2, alpha-3 or "
        "numeric code, or a listed non-country code; mnr jurisdictions list shows the codes"
    )
