"""Changing what a round's report says: headlines, narrative blocks, snapshot settings.

Every part carries a version (or, for the snapshot exclusions, its value) so that an editor
that loaded an older state is refused instead of overwriting what someone else saved:
``NarrativeBlock.version`` per block (all its languages), ``ReportSettings.headlines_version``
for the headline set as a whole. :func:`save_report_edit` saves an editor form: only the parts
whose text differs from what the form was loaded with, all in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from mnr.accounts.permissions import require
from mnr.audit.record import record_event
from mnr.core.findings import Finding, compute_figure
from mnr.core.framework import Label, text
from mnr.core.narrative import phrase_keys, phrase_misfit
from mnr.errors import MnrError, unknown
from mnr.findings.data import round_data
from mnr.frameworks.models import Capability
from mnr.reports.markup import clean_text
from mnr.reports.models import Headline, NarrativeBlock, ReportSettings
from mnr.reports.texts import LANGUAGES
from mnr.surveys.access import can_manage_round
from mnr.surveys.models import Round

DEFAULT_SNAPSHOT_EXCLUDE = ("C03",)
HEADLINE_COLUMNS = (
    "key",
    "domain",
    "question",
    "counts_as",
    "population",
    "subject",
    "statement",
    "callout",
)


@dataclass(frozen=True)
class HeadlineSpec:
    key: str
    question: str
    counts_as: tuple[str, ...]
    statement: Label
    population: str = "all"
    domain: str = ""
    subject: Label = field(default_factory=dict)
    callout: bool = False
    # A key of the phrase table (mnr.core.narrative); empty: the default for the share.
    phrase: str = ""


class StaleEdit(MnrError):
    """A part of the report changed since the editor loaded it; nothing was written."""


class StaleText(StaleEdit):
    """A narrative block changed since the editor loaded it; carries the current text."""

    def __init__(self, block: NarrativeBlock, lang: str, loaded_version: int) -> None:
        self.key = block.key
        self.lang = lang
        self.text = block.text.get(lang, "")
        self.version = block.version
        self.loaded_version = loaded_version
        self.updated_by = block.updated_by.get_username() if block.updated_by else ""
        self.updated_at = block.updated_at
        by = f" by {self.updated_by}" if self.updated_by else ""
        super().__init__(
            f"narrative block {self.key!r} ({lang}) was changed{by} after you opened it "
            f"(version {self.version}, you started from version {loaded_version}); "
            "compare both texts, choose one and save again"
        )


class StaleHeadlines(StaleEdit):
    """The headline set changed since the editor loaded it."""

    def __init__(self, version: int, loaded_version: int) -> None:
        self.version = version
        self.loaded_version = loaded_version
        super().__init__(
            f"the headlines were changed after you opened them (version {version}, you started "
            f"from version {loaded_version}); compare both sets, choose one and save again"
        )


class StaleSnapshotExclude(StaleEdit):
    """The snapshot exclusions changed since the editor loaded them."""

    def __init__(self, current: Sequence[str], loaded: Sequence[str]) -> None:
        self.current = list(current)
        self.loaded = list(loaded)
        super().__init__(
            "the capabilities left out of the snapshot were changed after you opened them "
            f"(now {', '.join(self.current) or 'none'}, you started from "
            f"{', '.join(self.loaded) or 'none'}); choose one and save again"
        )


class ReportConflicts(MnrError):
    """Some parts of an editor form were stale; nothing of the form was written."""

    def __init__(self, conflicts: Sequence[StaleEdit]) -> None:
        self.conflicts = list(conflicts)
        super().__init__("; ".join(str(conflict) for conflict in self.conflicts))


def _check_manager(acting_user: Any, round_: Round) -> None:
    require(
        acting_user,
        can_manage_round(acting_user, round_),
        gettext("Only analysts of this round edit its report."),
    )


def _locked_settings(round_: Round) -> ReportSettings:
    report_settings, _ = ReportSettings.objects.select_for_update().get_or_create(
        round=round_, defaults={"snapshot_exclude": list(DEFAULT_SNAPSHOT_EXCLUDE)}
    )
    return report_settings


@transaction.atomic
def set_headlines(
    round_: Round,
    specs: Sequence[HeadlineSpec],
    *,
    expected_version: int | None = None,
    acting_user: Any = None,
    source: str = "web",
) -> list[Headline]:
    """Replace the round's headlines; every spec is checked first and nothing is stored when
    one is wrong. With ``expected_version`` (the ``headlines_version`` the caller loaded) a
    set that changed in the meantime is refused with :class:`StaleHeadlines`."""
    _check_manager(acting_user, round_)
    report_settings = _locked_settings(round_)
    if expected_version is not None and expected_version != report_settings.headlines_version:
        raise StaleHeadlines(report_settings.headlines_version, expected_version)
    domains = set(
        Capability.objects.filter(edition_id=round_.instrument.edition_id).values_list(
            "domain__code", flat=True
        )
    )
    data = round_data(round_)
    problems: list[str] = []
    keys: set[str] = set()
    for number, spec in enumerate(specs, start=1):
        where = f"headline {number} ({spec.key})"
        if spec.key in keys:
            problems.append(f"{where}: the key is used twice")
        keys.add(spec.key)
        try:
            # The counting rules check the question, the codes counted and the population; a
            # headline they would refuse at report time is refused now.
            figure = compute_figure(data, spec.question, spec.counts_as, spec.population)
        except ValueError as error:
            problems.append(f"{where}: {error}")
        else:
            problems += [f"{where}: {problem}" for problem in _phrase_problems(spec, figure)]
        if spec.domain and spec.domain not in domains:
            problems.append(f"{where}: unknown domain {spec.domain!r}")
        if not spec.statement.get("en"):
            problems.append(f"{where}: the statement needs an English text")
    if problems:
        raise MnrError("; ".join(problems))
    Headline.objects.filter(round=round_).delete()
    headlines = Headline.objects.bulk_create(
        Headline(
            round=round_,
            key=spec.key,
            position=position,
            domain=spec.domain,
            question=spec.question,
            counts_as=list(spec.counts_as),
            population=spec.population,
            subject=dict(spec.subject),
            statement=dict(spec.statement),
            callout=spec.callout,
            phrase=spec.phrase,
        )
        for position, spec in enumerate(specs, start=1)
    )
    report_settings.headlines_version += 1
    report_settings.save(update_fields=["headlines_version"])
    record_event(
        "report.headlines",
        round_,
        actor=acting_user,
        source=source,
        keys=[spec.key for spec in specs],
        version=report_settings.headlines_version,
    )
    return headlines


def _phrase_problems(spec: HeadlineSpec, figure: Finding) -> list[str]:
    """Why the headline's chosen phrase cannot describe its figure (nothing when it can, or
    when nobody has answered yet and there is no share to judge)."""
    if not spec.phrase:
        return []
    if spec.phrase not in phrase_keys():
        return [f"unknown phrase {spec.phrase!r}; use one of {', '.join(phrase_keys())}"]
    if not figure.denominator or figure.numerator is None:
        return []
    misfit = phrase_misfit(spec.phrase, figure.numerator, figure.denominator)
    return [misfit] if misfit else []


def _csv_label(row: dict[str, str], column: str) -> Label:
    """The English text of ``column`` with its translations from the optional columns
    ``<column>_fr``, ``<column>_es`` (one per report language); empty texts are left out."""
    label = {"en": row[column]} if row[column] else {}
    for lang in LANGUAGES[1:]:
        if translated := (row.get(f"{column}_{lang}") or "").strip():
            label[lang] = translated
    return label


def read_headlines_csv(path: Path) -> list[HeadlineSpec]:
    """Headline specs from a CSV with the columns of ``HEADLINE_COLUMNS`` (English texts) and,
    optionally, ``subject_<lang>`` and ``statement_<lang>`` for their translations and ``phrase``
    (a key of the phrase table; empty: the default for the share)."""
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in HEADLINE_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise MnrError(f"{path}: missing column(s) {', '.join(missing)}")
            return [
                HeadlineSpec(
                    key=row["key"],
                    domain=row["domain"],
                    question=row["question"],
                    counts_as=tuple(code for code in row["counts_as"].split("|") if code),
                    population=row["population"] or "all",
                    subject=_csv_label(row, "subject"),
                    statement=_csv_label(row, "statement"),
                    callout=row["callout"].strip().lower() in ("yes", "true", "1"),
                    phrase=(row.get("phrase") or "").strip(),
                )
                for row in reader
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise MnrError(f"{path}: cannot read headlines: {error}") from error


@transaction.atomic
def save_narrative(
    round_: Round,
    key: str,
    text: str,
    *,
    lang: str = "en",
    expected_version: int | None = None,
    acting_user: Any = None,
    source: str = "web",
) -> NarrativeBlock:
    """Store ``text`` (see :func:`mnr.reports.markup.clean_text`) as the block's ``lang`` text.

    An unchanged text writes nothing. With ``expected_version`` (the version the caller
    loaded) a block that changed in the meantime is refused with :class:`StaleText`, unless
    its text already is ``text``."""
    block, _changed = _write_narrative(
        round_, key, text, lang, expected_version, acting_user=acting_user, source=source
    )
    return block


def _write_narrative(
    round_: Round,
    key: str,
    text: str,
    lang: str,
    expected_version: int | None,
    *,
    acting_user: Any,
    source: str,
) -> tuple[NarrativeBlock, bool]:
    _check_manager(acting_user, round_)
    if key not in NarrativeBlock.Key.values:
        raise unknown("narrative block", key, NarrativeBlock.Key.values)
    text = clean_text(text, where=f"narrative block {key!r} ({lang})")
    # The row lock makes concurrent saves of one block take turns: the second one sees the
    # version the first one wrote.
    block, _ = NarrativeBlock.objects.select_for_update().get_or_create(round=round_, key=key)
    old = block.text.get(lang, "")
    if old == text:
        return block, False
    if expected_version is not None and expected_version != block.version:
        raise StaleText(block, lang, expected_version)
    block.text = {**block.text, lang: text}
    block.version += 1
    block.updated_by = (
        acting_user if acting_user is not None and acting_user.is_authenticated else None
    )
    block.save()
    record_event(
        "report.narrative",
        block,
        actor=acting_user,
        source=source,
        key=key,
        lang=lang,
        old=old,
        new=text,
        version=block.version,
    )
    return block, True


@transaction.atomic
def set_snapshot_exclude(
    round_: Round,
    capabilities: Sequence[str],
    *,
    expected: Sequence[str] | None = None,
    acting_user: Any = None,
    source: str = "web",
) -> ReportSettings:
    """Set the capabilities the snapshot leaves out. With ``expected`` (the list the caller
    loaded) a list that changed in the meantime is refused with :class:`StaleSnapshotExclude`."""
    _check_manager(acting_user, round_)
    known = set(
        Capability.objects.filter(edition_id=round_.instrument.edition_id).values_list(
            "code", flat=True
        )
    )
    for code in capabilities:
        if code not in known:
            raise unknown("capability", code, known)
    report_settings = _locked_settings(round_)
    current = list(report_settings.snapshot_exclude)
    if expected is not None and list(expected) != current and list(capabilities) != current:
        raise StaleSnapshotExclude(current, expected)
    report_settings.snapshot_exclude = list(capabilities)
    report_settings.save(update_fields=["snapshot_exclude"])
    record_event(
        "report.snapshot_exclude",
        round_,
        actor=acting_user,
        source=source,
        capabilities=list(capabilities),
    )
    return report_settings


# --- The editor form -------------------------------------------------------------------------


# The version of a form that did not say which version it loaded: it matches none.
_UNKNOWN = -1


@dataclass(frozen=True)
class BlockEdit:
    """One narrative block as the editor posted it, with the text and version it showed.

    ``None`` for what the form did not say (a page opened before versions existed): any
    difference from the stored text is then a conflict."""

    key: str
    text: str
    loaded_text: str | None
    loaded_version: int | None


@dataclass(frozen=True)
class HeadlinesEdit:
    """The headline rows as posted (texts in the editor's language), with the fingerprint
    (:func:`headlines_digest`) and version of the rows the editor showed."""

    specs: tuple[HeadlineSpec, ...]
    loaded_digest: str
    loaded_version: int | None


@dataclass(frozen=True)
class SnapshotEdit:
    capabilities: tuple[str, ...]
    loaded: tuple[str, ...] | None


@dataclass(frozen=True)
class ReportEdit:
    """Everything an editor form posts, in one language."""

    lang: str
    blocks: tuple[BlockEdit, ...] = ()
    headlines: HeadlinesEdit | None = None
    snapshot: SnapshotEdit | None = None


def editor_headlines(round_: Round, lang: str) -> list[HeadlineSpec]:
    """The round's headlines as the editor shows them in ``lang`` (each text in ``lang``, or
    the English one it falls back to)."""
    return [
        HeadlineSpec(
            key=h.key,
            domain=h.domain,
            question=h.question,
            counts_as=tuple(h.counts_as),
            population=h.population,
            subject={lang: text(h.subject, lang)} if text(h.subject, lang) else {},
            statement={lang: text(h.statement, lang)},
            callout=h.callout,
            phrase=h.phrase,
        )
        for h in Headline.objects.filter(round=round_)
    ]


def headlines_digest(specs: Sequence[HeadlineSpec], lang: str) -> str:
    """A fingerprint of headline rows as the editor shows them in ``lang``."""
    rows = [
        [
            spec.key,
            spec.domain,
            spec.question,
            list(spec.counts_as),
            spec.population,
            spec.subject.get(lang, "").strip(),
            spec.statement.get(lang, "").strip(),
            spec.callout,
            spec.phrase,
        ]
        for spec in specs
    ]
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()[:32]


def current_snapshot_exclude(round_: Round) -> list[str]:
    """Capabilities the snapshot leaves out: the round's setting, else legislation."""
    report_settings = ReportSettings.objects.filter(round=round_).first()
    return list(report_settings.snapshot_exclude if report_settings else DEFAULT_SNAPSHOT_EXCLUDE)


def _merged_label(existing: Label, posted: str, lang: str) -> Label:
    # The editor shows one language, falling back to English: a text left as shown keeps every
    # stored language as it is, so saving in French copies no English text into French.
    if posted.strip() == text(existing, lang).strip():
        return dict(existing)
    merged = {code: value for code, value in existing.items() if code != lang}
    return {**merged, lang: posted} if posted else merged


def _with_other_languages(
    round_: Round, specs: Sequence[HeadlineSpec], lang: str
) -> list[HeadlineSpec]:
    stored = {h.key: h for h in Headline.objects.filter(round=round_)}
    merged = []
    for spec in specs:
        before = stored.get(spec.key)
        if before is None:
            merged.append(spec)
            continue
        merged.append(
            replace(
                spec,
                subject=_merged_label(before.subject, spec.subject.get(lang, ""), lang),
                statement=_merged_label(before.statement, spec.statement.get(lang, ""), lang),
            )
        )
    return merged


@transaction.atomic
def save_report_edit(
    round_: Round, edit: ReportEdit, *, acting_user: Any = None, source: str = "web"
) -> list[str]:
    """Save what an editor form changed, all or nothing; return the parts written.

    A part is written only when the form's text differs from what it was loaded with, so an
    untouched block never overwrites someone else's newer text. A part that someone else
    changed meanwhile is refused (every such part is collected and raised together as
    :class:`ReportConflicts`, and nothing of the form is written), except when the change was
    in another language only: the text this editor shows is then still what it loaded, and
    nothing is lost by saving on top of it."""
    _check_manager(acting_user, round_)
    lang = edit.lang
    saved: list[str] = []
    conflicts: list[StaleEdit] = []
    stored_blocks = {block.key: block for block in NarrativeBlock.objects.filter(round=round_)}
    for block_edit in edit.blocks:
        where = f"narrative block {block_edit.key!r} ({lang})"
        new_text = clean_text(block_edit.text, where=where)
        loaded_text = (
            None
            if block_edit.loaded_text is None
            else clean_text(block_edit.loaded_text, where=where)
        )
        if new_text == loaded_text:
            continue
        expected = _UNKNOWN if block_edit.loaded_version is None else block_edit.loaded_version
        stored = stored_blocks.get(block_edit.key)
        if stored is not None and stored.text.get(lang, "") == loaded_text:
            expected = stored.version
        try:
            _block, changed = _write_narrative(
                round_,
                block_edit.key,
                new_text,
                lang,
                expected,
                acting_user=acting_user,
                source=source,
            )
        except StaleEdit as conflict:
            conflicts.append(conflict)
        else:
            if changed:
                saved.append(block_edit.key)
    if edit.headlines is not None:
        try:
            if _save_headlines(round_, edit.headlines, lang, acting_user, source):
                saved.append("headlines")
        except StaleEdit as conflict:
            conflicts.append(conflict)
    snapshot = edit.snapshot
    if snapshot is not None and snapshot.capabilities != snapshot.loaded:
        current = current_snapshot_exclude(round_)
        try:
            if list(snapshot.capabilities) == current:
                pass
            elif snapshot.loaded is None:
                raise StaleSnapshotExclude(current, [])
            else:
                set_snapshot_exclude(
                    round_,
                    snapshot.capabilities,
                    expected=snapshot.loaded,
                    acting_user=acting_user,
                    source=source,
                )
                saved.append("snapshot_exclude")
        except StaleEdit as conflict:
            conflicts.append(conflict)
    if conflicts:
        raise ReportConflicts(conflicts)
    return saved


def _save_headlines(
    round_: Round, edit: HeadlinesEdit, lang: str, acting_user: Any, source: str
) -> bool:
    if headlines_digest(edit.specs, lang) == edit.loaded_digest:
        return False
    current = editor_headlines(round_, lang)
    if headlines_digest(edit.specs, lang) == headlines_digest(current, lang):
        return False
    report_settings = ReportSettings.objects.filter(round=round_).first()
    version = report_settings.headlines_version if report_settings else 0
    expected = _UNKNOWN if edit.loaded_version is None else edit.loaded_version
    if headlines_digest(current, lang) == edit.loaded_digest:
        expected = version
    set_headlines(
        round_,
        _with_other_languages(round_, edit.specs, lang),
        expected_version=expected,
        acting_user=acting_user,
        source=source,
    )
    return True
