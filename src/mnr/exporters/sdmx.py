"""A publication's findings as SDMX: the structure (DSD) and the data, in SDMX-CSV and SDMX-ML.

UNICEF's data warehouse and national statistical offices exchange statistics as SDMX. What is
written here is exactly what the publication shows the public (its stored,
disclosure-controlled findings), built and written with ``sdmx1``:

- **Agency** ``MNR``: this platform maintains the structure. It is not UNICEF's or SDMX's to
  maintain, so it does not claim their agency IDs; a warehouse that takes the data in maps it
  onto its own structures.
- **DSD** ``MNR_FINDINGS`` (version 1.0), dataflow ``MNR_FINDINGS``. Dimensions: ``ROUND``,
  ``QUESTION``, ``BREAKDOWN`` (``_T`` for the whole round, then income, income-group, region,
  channel), ``GROUP`` (``_T``, income groups, regions, channels, unknown/none) and
  ``RESPONSE`` (each answer code and blank, and ``COUNTED``: the answers the finding counts
  as, its numerator). Measure ``OBS_VALUE``: how many participating jurisdictions.
  Attributes: ``DENOMINATOR`` (the answers the share is taken of), ``PERCENT`` (on
  ``COUNTED`` only), ``COUNTS_AS`` (the answer codes counted, ``|``-joined), ``OBS_STATUS``,
  ``PUBLICATION`` (the publication's number) and ``SYNTHETIC`` (``Y`` on invented data).
- **Withheld cells** carry no value and ``OBS_STATUS`` ``C`` (confidential, as in SDMX's
  cross-domain code list CL_OBS_STATUS); shown ones ``A`` (normal). The code list here holds
  those two codes with SDMX's meanings, maintained by MNR (it is not SDMX's full list).
- Code lists come from the round's instrument (its counted questions), the counting rules'
  answer codes and breakdowns (``mnr.core.findings``), the round's channels and the regions of
  the jurisdictions known to the platform. SDMX IDs allow no dots, so ``C11.status`` is the
  code ``C11_status`` (:func:`code_id`); the code's name keeps the question's text.

Formats (what sdmx1 2.28 writes): SDMX-CSV 2.0.0 and SDMX-ML 2.1 structure-specific data; the
structure as an SDMX-ML 2.1 structure message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import sdmx
from sdmx import message
from sdmx.format.csv.common import Attributes
from sdmx.model import common, v21

from mnr.core.findings import (
    BREAKDOWNS,
    COUNT_KEYS,
    INCOME_GROUPS,
    NO_CHANNEL,
    UNKNOWN,
    Finding,
)
from mnr.errors import MnrError
from mnr.findings.data import RoundQuestions, round_questions
from mnr.findings.service import finding_label, round_findings
from mnr.jurisdictions.models import Jurisdiction
from mnr.publications.models import Publication
from mnr.surveys.models import Round

AGENCY = "MNR"
DSD_ID = "MNR_FINDINGS"
VERSION = "1.0"
TOTAL = "_T"
COUNTED = "COUNTED"
CONFIDENTIAL = "C"
NORMAL = "A"
SYNTHETIC_CODE = "Y"
DIMENSIONS = ("ROUND", "QUESTION", "BREAKDOWN", "GROUP", "RESPONSE")
ATTRIBUTES = ("DENOMINATOR", "PERCENT", "COUNTS_AS", "OBS_STATUS", "PUBLICATION", "SYNTHETIC")
RESPONSES: tuple[str, ...] = (*COUNT_KEYS, COUNTED)

FORMATS = ("sdmx-csv", "sdmx-ml")
CSV_MEDIA_TYPE = "application/vnd.sdmx.data+csv;version=2.0.0"
ML_MEDIA_TYPE = "application/vnd.sdmx.structurespecificdata+xml;version=2.1"
STRUCTURE_MEDIA_TYPE = "application/vnd.sdmx.structure+xml;version=2.1"
MEDIA_TYPES = {"sdmx-csv": CSV_MEDIA_TYPE, "sdmx-ml": ML_MEDIA_TYPE}
SUFFIXES = {"sdmx-csv": "csv", "sdmx-ml": "xml"}

_NOT_ID = re.compile(r"[^A-Za-z0-9_@$-]")
_RESPONSE_NAMES = {
    "blank": "No answer given",
    "not_applicable": "Not applicable",
    "dont_know": "Does not know",
    COUNTED: "Answers the finding counts (its numerator)",
}


# What XML 1.0 cannot hold (control characters but tab and line breaks, lone surrogates,
# U+FFFE/U+FFFF): a stored title or label holding one would make the structure unwritable.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


def code_id(value: str) -> str:
    """``value`` as an SDMX ID: characters SDMX IDs do not allow (dots, spaces) become ``_``."""
    return _NOT_ID.sub("_", value) or "_"


@dataclass(frozen=True)
class Structure:
    """The DSD of one round's findings, its dataflow and the lists they draw on."""

    dsd: v21.DataStructureDefinition
    dataflow: v21.DataflowDefinition
    concepts: common.ConceptScheme
    codelists: dict[str, common.Codelist]

    def message(self) -> message.StructureMessage:
        return message.StructureMessage(
            header=_header(),
            codelist={cl.id: cl for cl in self.codelists.values()},
            concept_scheme={self.concepts.id: self.concepts},
            structure={self.dsd.id: self.dsd},
            dataflow={self.dataflow.id: self.dataflow},
        )


def _header() -> message.Header:
    return message.Header(sender=common.Agency(id=AGENCY))


def _codelist(
    cl_id: str, name: str, codes: Iterable[tuple[str, str]], maintainer: common.Agency
) -> common.Codelist:
    codelist = common.Codelist(
        id=cl_id, name=name, maintainer=maintainer, version=VERSION, is_final=True
    )
    for code, code_name in codes:
        if code_id(code) not in codelist.items:
            codelist.append(common.Code(id=code_id(code), name=xml_text(code_name)))
    return codelist


def group_codes(round_: Round) -> list[tuple[str, str]]:
    """Every group a breakdown of ``round_`` can show (``mnr.core.findings``' groups)."""
    regions = sorted(set(Jurisdiction.objects.exclude(region="").values_list("region", flat=True)))
    return [
        (TOTAL, "All participating jurisdictions"),
        *((group, f"World Bank income group {group}") for group in INCOME_GROUPS),
        ("LMIC", "Low- and middle-income (every income group but HIC)"),
        *((region, region) for region in regions),
        *((channel, f"Answered through the {channel} channel") for channel in round_.channels),
        (NO_CHANNEL, "No answer through any channel"),
        (UNKNOWN, "Not known"),
    ]


def build_structure(
    round_: Round, questions: RoundQuestions | None = None, lang: str = "en"
) -> Structure:
    """The DSD ``MNR_FINDINGS`` with the code lists of ``round_``."""
    questions = questions or round_questions(round_)
    agency = common.Agency(id=AGENCY, name="mnr, the Model National Response review platform")
    title = f"{round_.title} (SYNTHETIC DATA)" if round_.synthetic else round_.title
    question_label = {spec.id: spec.id for spec in questions.specs}
    for spec in questions.specs:
        dummy = Finding(spec.id, None, {}, (), None, None, None)
        question_label[spec.id] = finding_label(dummy, questions, lang)
    codelists = {
        "ROUND": _codelist("CL_ROUND", "Review round", [(round_.code, title)], agency),
        "QUESTION": _codelist(
            "CL_QUESTION",
            f"Counted questions of instrument {round_.instrument.code}",
            question_label.items(),
            agency,
        ),
        "BREAKDOWN": _codelist(
            "CL_BREAKDOWN",
            "Breakdown of the participating jurisdictions",
            [(TOTAL, "Whole round"), *((by, by) for by in BREAKDOWNS)],
            agency,
        ),
        "GROUP": _codelist("CL_GROUP", "Group within a breakdown", group_codes(round_), agency),
        "RESPONSE": _codelist(
            "CL_RESPONSE",
            "Answer category counted",
            [(code, _RESPONSE_NAMES.get(code, code.capitalize())) for code in RESPONSES],
            agency,
        ),
        "OBS_STATUS": _codelist(
            "CL_OBS_STATUS",
            "Observation status (codes and meanings of SDMX's CL_OBS_STATUS)",
            [(NORMAL, "Normal value"), (CONFIDENTIAL, "Confidential statistical information")],
            agency,
        ),
        "SYNTHETIC": _codelist(
            "CL_SYNTHETIC",
            "Synthetic data",
            [(SYNTHETIC_CODE, "Synthetic: pseudonymous jurisdictions and invented answers")],
            agency,
        ),
    }
    concepts = common.ConceptScheme(
        id="CS_MNR_FINDINGS",
        name="Concepts of MNR findings",
        maintainer=agency,
        version=VERSION,
        is_final=True,
    )
    concept_names = {
        "ROUND": "Review round",
        "QUESTION": "Question of the instrument",
        "BREAKDOWN": "Breakdown",
        "GROUP": "Group",
        "RESPONSE": "Answer category",
        "OBS_VALUE": "Participating jurisdictions",
        "DENOMINATOR": "Answers the share is taken of (all but blank and not applicable)",
        "PERCENT": "Share counted, percent, rounded half up",
        "COUNTS_AS": "Answer codes counted, |-joined",
        "OBS_STATUS": "Observation status",
        "PUBLICATION": "Number of the publication",
        "SYNTHETIC": "Synthetic data",
    }
    for concept, name in concept_names.items():
        concepts.append(common.Concept(id=concept, name=name))
    dsd = v21.DataStructureDefinition(
        id=DSD_ID,
        name="Findings of Model National Response reviews",
        maintainer=agency,
        version=VERSION,
        is_final=True,
    )
    for order, dim in enumerate(DIMENSIONS, start=1):
        dsd.dimensions.getdefault(
            id=dim,
            concept_identity=concepts[dim],
            local_representation=common.Representation(enumerated=codelists[dim]),
            order=order,
        )
    dsd.measures.getdefault(id="OBS_VALUE", concept_identity=concepts["OBS_VALUE"])
    observation = v21.PrimaryMeasureRelationship()
    for attribute in ATTRIBUTES:
        kwargs: dict[str, Any] = {}
        if attribute in codelists:
            kwargs["local_representation"] = common.Representation(enumerated=codelists[attribute])
        dsd.attributes.getdefault(
            id=attribute,
            concept_identity=concepts[attribute],
            related_to=observation,
            usage_status=common.UsageStatus.mandatory
            if attribute in ("OBS_STATUS", "PUBLICATION")
            else common.UsageStatus.conditional,
            **kwargs,
        )
    dataflow = v21.DataflowDefinition(
        id=DSD_ID,
        name="Findings of Model National Response reviews",
        maintainer=agency,
        version=VERSION,
        is_final=True,
        structure=dsd,
    )
    return Structure(dsd, dataflow, concepts, codelists)


def observations(
    findings: Sequence[Finding], round_: Round, publication: int
) -> list[dict[str, Any]]:
    """One record per (finding, response): dimension codes, ``OBS_VALUE`` (None when withheld)
    and attributes (absent ones left out). The one mapping of findings to SDMX."""
    records = []
    for finding in findings:
        base = {
            "ROUND": code_id(round_.code),
            "QUESTION": code_id(finding.question),
            "BREAKDOWN": code_id(finding.by or TOTAL),
            "GROUP": code_id(finding.group or TOTAL),
        }
        for response in RESPONSES:
            attributes: dict[str, Any] = {
                "OBS_STATUS": CONFIDENTIAL if finding.suppressed else NORMAL,
                "PUBLICATION": str(publication),
            }
            value: int | None
            if finding.suppressed:
                value = None
            elif response == COUNTED:
                value = finding.numerator
                if finding.percent is not None:
                    attributes["PERCENT"] = str(finding.percent)
                attributes["COUNTS_AS"] = "|".join(finding.counts_as)
            else:
                value = finding.counts.get(response, 0)
            if not finding.suppressed and finding.denominator is not None:
                attributes["DENOMINATOR"] = str(finding.denominator)
            if round_.synthetic:
                attributes["SYNTHETIC"] = SYNTHETIC_CODE
            records.append({**base, "RESPONSE": response, "OBS_VALUE": value, **attributes})
    return records


def data_message(structure: Structure, records: Sequence[dict[str, Any]]) -> message.DataMessage:
    dsd = structure.dsd
    dataset = v21.StructureSpecificDataSet(described_by=structure.dataflow, structured_by=dsd)
    measure = dsd.measures.get("OBS_VALUE")
    obs = []
    for record in records:
        key = common.Key(
            {dim: structure.codelists[dim][record[dim]] for dim in DIMENSIONS},
            described_by=dsd.dimensions,
        )
        attached = {}
        for attribute in ATTRIBUTES:
            if attribute not in record:
                continue
            raw = record[attribute]
            value = structure.codelists[attribute][raw] if attribute in structure.codelists else raw
            attached[attribute] = common.AttributeValue(
                value=value, value_for=dsd.attributes.get(attribute)
            )
        obs.append(
            v21.Observation(
                dimension=key,
                value=record["OBS_VALUE"],
                value_for=measure,
                attached_attribute=attached,
            )
        )
    dataset.add_obs(obs)
    return message.DataMessage(
        header=_header(),
        dataflow=structure.dataflow,
        data=[dataset],
        observation_dimension=common.AllDimensions,
    )


def publication_findings(publication: Publication, lang: str = "en") -> list[Finding]:
    """The publication's stored findings, in total and by every breakdown, as the public reads
    them."""
    return round_findings(
        publication.round,
        breakdowns=[None, *BREAKDOWNS],
        public=True,
        lang=lang,
        publication=publication,
    )


def check_format(file_format: str) -> str:
    if file_format not in FORMATS:
        raise MnrError(f"unknown SDMX format {file_format!r}; use one of {', '.join(FORMATS)}")
    return file_format


def render(publication: Publication, file_format: str) -> tuple[str, str, bytes]:
    """``(file name, media type, content)`` of the publication's findings."""
    check_format(file_format)
    round_ = publication.round
    structure = build_structure(round_)
    records = observations(publication_findings(publication), round_, publication.number)
    dm = data_message(structure, records)
    synthetic = "-synthetic" if round_.synthetic else ""
    name = f"{round_.code}-findings-p{publication.number}{synthetic}-sdmx.{SUFFIXES[file_format]}"
    if file_format == "sdmx-csv":
        frame = sdmx.to_csv(dm.data[0], rtype=pd.DataFrame, attributes=Attributes.o)
        assert isinstance(frame, pd.DataFrame)
        content = frame.to_csv(index=False).encode("utf-8")
        return name, CSV_MEDIA_TYPE, content
    return name, ML_MEDIA_TYPE, sdmx.to_xml(dm, pretty_print=True)


def render_structure(round_: Round) -> tuple[str, str, bytes]:
    """The DSD of ``round_``'s findings as an SDMX-ML 2.1 structure message."""
    structure = build_structure(round_)
    name = f"{round_.code}-findings-sdmx-structure.xml"
    return name, STRUCTURE_MEDIA_TYPE, sdmx.to_xml(structure.message(), pretty_print=True)
