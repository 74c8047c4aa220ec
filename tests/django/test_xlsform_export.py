"""``mnr export xlsform``: a round's questionnaire for one channel, as KoboToolbox and ODK
Central take it. Every form is converted with pyxform and checked by ODK Validate."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pyxform.xls2xform import convert

from mnr.exporters.base import get_exporter
from mnr.exporters.xlsform import XLSFormExporter
from mnr.frameworks.actions import rename_phase
from mnr.frameworks.models import Phase
from mnr.surveys.actions import add_participants, create_round

pytestmark = pytest.mark.django_db

XMLNS = {"xf": "http://www.w3.org/2002/xforms"}


def export(round_code: str, path: Path, *options: str) -> Path:
    call_command(
        "export",
        "xlsform",
        "--round",
        round_code,
        "--format",
        "xlsx",
        *options,
        "-o",
        str(path),
        stderr=StringIO(),
    )
    return path


def validated_xform(path: Path) -> str:
    """The XForm pyxform makes of the file, after ODK Validate accepted it."""
    warnings: list[str] = []
    xform = convert(str(path), warnings=warnings, validate=True).xform
    assert warnings == []
    return xform


@pytest.mark.parametrize("channel", ["government", "unicef_country_office"])
def test_form_for_each_channel_passes_odk_validate_in_three_languages(
    review_round: Any, tmp_path: Path, channel: str
) -> None:
    path = export("test-2021", tmp_path / "form.xlsx", "--channel", channel, "--lang", "en,fr,es")
    xform = validated_xform(path)
    for language in ("English (en)", "French (fr)", "Spanish (es)"):
        assert f'<translation lang="{language}"' in xform
    assert f'version="test-2021.mnr-review-2021.v1.{channel}"' in xform
    assert f'id="mnr_test_2021_{channel}"' in xform
    assert f"calculate=\"'{channel}'\"" in xform
    assert "calculate=\"'test-2021'\"" in xform
    assert '<bind nodeset="/data/jurisdiction" type="string" required="true()"/>' in xform
    assert ("C03_laws_adequate" in xform) == (channel == "unicef_country_office")


def test_jurisdiction_list_offers_the_rounds_participants_by_name(
    review_round: Any, tmp_path: Path
) -> None:
    path = export("test-2021", tmp_path / "form.xlsx", "--channel", "government")
    root = ElementTree.fromstring(validated_xform(path))
    items = root.findall(".//xf:instance[@id='jurisdictions']/xf:root/xf:item", XMLNS)
    labels = {
        text.get("id"): text.findtext("xf:value", namespaces=XMLNS)
        for text in root.findall(".//xf:translation[@lang='English (en)']/xf:text", XMLNS)
    }
    offered = {
        item.findtext("xf:name", namespaces=XMLNS): labels[
            item.findtext("xf:itextId", namespaces=XMLNS)
        ]
        for item in items
    }
    assert offered == {"GB-EAW": "England and Wales", "KE": "Kenya", "SE": "Sweden"}


def test_self_assessment_form_has_the_relevance_rules_and_renamed_phases(tmp_path: Path) -> None:
    round_ = create_round("self-2024", instrument="mnr-2016-self-assessment")
    add_participants(round_, ["KE"])
    rename_phase(Phase.objects.get(edition__code="mnr-2016", level=2), "Emerging", source="test")
    path = export("self-2024", tmp_path / "form.xlsx", "--channel", "government", "--lang", "en,fr")
    xform = validated_xform(path)
    assert (
        '<bind nodeset="/data/D1/C01_phase" type="string" '
        "relevant=\"selected( /data/D1/C01_status , 'yes') or "
        "selected( /data/D1/C01_status , 'partial')\"/>"
    ) in xform
    assert "<value>Emerging</value>" in xform
    assert "**2 Emerging**: A lead ministry" in xform


def test_unknown_channel_is_refused_with_the_rounds_channels(
    review_round: Any, tmp_path: Path
) -> None:
    with pytest.raises(
        CommandError,
        match=r"round test-2021 has no channel 'civil_society'; "
        r"its channels are government, unicef_country_office",
    ):
        export("test-2021", tmp_path / "form.xlsx", "--channel", "civil_society")
    assert not (tmp_path / "form.xlsx").exists()


def test_missing_channel_is_refused_with_the_rounds_channels(
    review_round: Any, tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match=r"choose it with --channel .*government"):
        export("test-2021", tmp_path / "form.xlsx")


def test_round_without_participants_is_refused(tmp_path: Path) -> None:
    create_round("empty", instrument="mnr-review-2021")
    with pytest.raises(CommandError, match="round empty has no participants"):
        export("empty", tmp_path / "form.xlsx", "--channel", "government")


def test_exporter_is_registered_and_names_the_file_after_round_and_channel(
    review_round: Any,
) -> None:
    assert get_exporter("xlsform") is XLSFormExporter
    exporter = XLSFormExporter(review_round, format="xlsx", channel="government")
    filename, mimetype, content = exporter.render()
    assert filename == "test-2021-xlsform-government.xlsx"
    assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert content.startswith(b"PK")


def test_form_is_in_english_french_and_spanish_by_default(
    review_round: Any, tmp_path: Path
) -> None:
    path = export("test-2021", tmp_path / "form.xlsx", "--channel", "government")
    root = ElementTree.fromstring(validated_xform(path))
    texts = {
        language: {
            text.get("id"): text.findtext("xf:value", namespaces=XMLNS)
            for text in root.findall(f".//xf:translation[@lang='{language}']/xf:text", XMLNS)
        }
        for language in ("English (en)", "French (fr)", "Spanish (es)")
    }
    status = "/data/D1/C01_status:label"
    assert texts["English (en)"][status].startswith("Is there a national body that leads")
    assert texts["French (fr)"][status].startswith("Existe-t-il un organisme national")
    assert texts["Spanish (es)"][status].startswith("¿Existe un organismo nacional")
    assert "En partie" in texts["French (fr)"].values()
    assert "D3 Víctimas" in texts["Spanish (es)"].values()
    defaults = root.findall(".//xf:translation[@default='true()']", XMLNS)
    assert [translation.get("lang") for translation in defaults] == ["English (en)"]
