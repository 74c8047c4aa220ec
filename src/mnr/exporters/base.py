"""The exporter contract and its registry."""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, ClassVar

from django.db.models import QuerySet

from mnr.commands import output_format
from mnr.errors import MnrError, unknown
from mnr.surveys.models import Round, Submission


class Exporter(ABC):
    """Turns a round into one file. Subclasses set ``id``, ``label`` and ``formats``."""

    id: ClassVar[str]
    label: ClassVar[str]
    formats: ClassVar[tuple[str, ...]]
    # Whether the file holds jurisdiction-level data (only for users who may see it).
    jurisdiction_level: ClassVar[bool] = True
    # The languages written when none are asked for (``mnr export --lang``).
    default_languages: ClassVar[tuple[str, ...]] = ("en",)

    def __init__(
        self,
        round_: Round,
        *,
        format: str,
        channel: str | None = None,
        languages: Sequence[str] | None = None,
        user: Any = None,
    ) -> None:
        if format not in self.formats:
            raise unknown(f"format for {self.id} export", format, self.formats)
        self.round = round_
        self.format = format
        self.channel = channel
        self.languages = tuple(languages) if languages else self.default_languages
        self.user = user

    @abstractmethod
    def render(self) -> tuple[str, str, bytes]:
        """``(file name, MIME type, content)``."""

    def submissions(self) -> QuerySet[Submission]:
        """The round's submissions this export may hold: those the user may see (all for the
        operator at the command line), limited to the chosen channel."""
        submissions = Submission.objects.filter(round=self.round)
        if self.user is not None:
            submissions = submissions.visible_to(self.user)
        if self.channel:
            submissions = submissions.filter(channel=self.channel)
        return submissions

    def filename(self, suffix: str = "") -> str:
        """``<round>-<export><suffix>.<format>``, marked ``-synthetic`` for demo data, so a file
        of invented answers says so wherever it is copied."""
        synthetic = "-synthetic" if self.round.synthetic else ""
        return f"{self.round.code}-{self.id}{suffix}{synthetic}.{self.format}"


_REGISTRY: dict[str, type[Exporter]] = {}


def register(exporter: type[Exporter]) -> type[Exporter]:
    if exporter.id in _REGISTRY and _REGISTRY[exporter.id] is not exporter:
        raise MnrError(f"two exporters claim the id {exporter.id!r}")
    _REGISTRY[exporter.id] = exporter
    return exporter


def exporters() -> dict[str, type[Exporter]]:
    """Every registered exporter by id (imports the package's modules on first use)."""
    import mnr.exporters as package

    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    return dict(sorted(_REGISTRY.items()))


def get_exporter(exporter_id: str) -> type[Exporter]:
    available = exporters()
    if exporter_id not in available:
        raise unknown("export", exporter_id, available)
    return available[exporter_id]


def choose_format(exporter: type[Exporter], given: str | None, output: PurePath | None) -> str:
    """The format to write (``mnr.commands.output_format``): ``given``, else the output file's
    extension, else the exporter's only format."""
    return output_format(
        given,
        output,
        exporter.formats,
        known={name for other in exporters().values() for name in other.formats},
        default=exporter.formats[0] if len(exporter.formats) == 1 else None,
        what=f"the {exporter.id} export",
    )
