"""What ``mnr profile`` and ``mnr plan`` share: the jurisdiction of the round, the format (given,
or from the output file's name, as ``mnr export`` chooses it), and writing the file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from mnr.errors import MnrError
from mnr.jurisdictions import codes
from mnr.jurisdictions.models import Jurisdiction
from mnr.surveys.models import Round

# Formats that are files rather than text: never written to a terminal.
BINARY_FORMATS = ("pdf", "xlsx")
# Extensions that name a format: a file named for one never holds another.
FORMAT_SUFFIXES = ("json", "html", "pdf", "xlsx", "csv")


def participant(round_: Round, given: str) -> Jurisdiction:
    jurisdiction = codes.get(given, where="--jurisdiction")
    if not round_.participations.filter(jurisdiction=jurisdiction).exists():
        raise MnrError(
            f"--jurisdiction: {jurisdiction.code} does not take part in round {round_.code}; "
            "mnr round show lists its participants"
        )
    return jurisdiction


def choose_format(given: str | None, output: PurePath | None, formats: Sequence[str]) -> str:
    """``given`` (``--format``), else the output file's extension, else JSON.

    A file named for another format than the one given is refused, and so is a PDF or
    XLSX without ``-o``."""
    listed = "|".join(formats)
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if given is not None:
        if suffix in FORMAT_SUFFIXES and suffix != given:
            instead = f", or leave --format out to write {suffix}" if suffix in formats else ""
            raise MnrError(
                f"{output} is named .{suffix} but --format is {given}: name the file "
                f".{given}{instead}"
            )
        chosen = given
    elif output is None:
        chosen = "json"
    elif suffix in formats:
        chosen = suffix
    else:
        raise MnrError(
            f"cannot tell the format from the file name {output.name!r}: name it "
            f".{' or .'.join(formats)}, or give --format {listed}"
        )
    if chosen in BINARY_FORMATS and output is None:
        raise MnrError(f"--format {chosen} writes a file: give it with -o FILE.{chosen}")
    return chosen
