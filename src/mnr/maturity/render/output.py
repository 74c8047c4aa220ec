"""What ``mnr profile`` and ``mnr plan`` share: the jurisdiction of the round, the format (given,
or from the output file's name, as ``mnr export`` chooses it), and writing the file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from mnr.commands import output_format

# Formats that are files rather than text: never written to a terminal.
BINARY_FORMATS = ("pdf", "xlsx")
# Extensions that name a format: a file named for one never holds another.
FORMAT_SUFFIXES = ("json", "html", "pdf", "xlsx", "csv")


def choose_format(given: str | None, output: PurePath | None, formats: Sequence[str]) -> str:
    """``given`` (``--format``), else the output file's extension, else JSON; a PDF or XLSX
    needs ``-o`` (``mnr.commands.output_format``)."""
    return output_format(
        given,
        output,
        formats,
        known=FORMAT_SUFFIXES,
        default="json",
        needs_file=BINARY_FORMATS,
    )
