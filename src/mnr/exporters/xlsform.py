"""The round's questionnaire for one channel as an XLSForm (KoboToolbox, ODK Central)."""

from __future__ import annotations

from mnr.core import xlsform
from mnr.core.framework import Edition, Instrument, edition_from_document, instrument_from_document
from mnr.errors import MnrError
from mnr.exporters.base import Exporter, register
from mnr.frameworks.actions import known_channels

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@register
class XLSFormExporter(Exporter):
    id = "xlsform"
    label = "Questionnaire for one channel as an XLSForm (KoboToolbox, ODK Central)"
    formats = ("xlsx",)
    # The form lists the participating jurisdictions but holds no answers.
    jurisdiction_level = False
    # KoboToolbox and ODK Central users expect a form in every language the framework has.
    default_languages = ("en", "fr", "es")

    def render(self) -> tuple[str, str, bytes]:
        channel = self._channel()
        edition, instrument = self._framework()
        participants = self._participants()
        if not participants:
            raise MnrError(
                f"round {self.round.code} has no participants, so the form would offer no "
                "jurisdiction to answer for; add participants first (mnr round add-participants)"
            )
        sheets = xlsform.build_xlsform(
            instrument,
            edition,
            channel=channel,
            round_code=self.round.code,
            participants=participants,
            languages=self.languages or ("en",),
            phase_names={
                phase.level: phase.name for phase in self.round.instrument.edition.phases.all()
            },
        )
        return self.filename(f"-{channel}"), XLSX, xlsform.write_xlsx(sheets)

    def _channel(self) -> str:
        channels = ", ".join(self.round.channels)
        if not self.channel:
            raise MnrError(
                f"an XLSForm asks the questions of one channel: choose it with --channel "
                f"(round {self.round.code} has {channels})"
            )
        if self.channel not in self.round.channels:
            raise MnrError(
                f"round {self.round.code} has no channel {self.channel!r}; its channels are "
                f"{channels}"
            )
        return self.channel

    def _framework(self) -> tuple[Edition, Instrument]:
        """The core edition and instrument, rebuilt from the documents stored when loaded."""
        instrument_row = self.round.instrument
        edition_row = instrument_row.edition
        edition = edition_from_document(
            edition_row.document, source=f"{edition_row.code} v{edition_row.version} (database)"
        )
        instrument = instrument_from_document(
            instrument_row.document,
            {edition.id: edition},
            known_channels(),
            source=f"{instrument_row.code} v{instrument_row.version} (database)",
        )
        return edition, instrument

    def _participants(self) -> list[tuple[str, dict[str, str]]]:
        """(code, name in each language), sorted by name in the form's first language."""
        languages = self.languages or ("en",)
        jurisdictions = [
            participation.jurisdiction
            for participation in self.round.participations.select_related("jurisdiction")
        ]
        jurisdictions.sort(key=lambda jurisdiction: jurisdiction.name(languages[0]).casefold())
        return [
            (jurisdiction.code, {lang: jurisdiction.name(lang) for lang in languages})
            for jurisdiction in jurisdictions
        ]
