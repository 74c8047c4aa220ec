"""What every mnr management command shares: user errors become clean messages on stderr."""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from pathlib import PurePath
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mnr.core.framework import FrameworkError
from mnr.core.reference import ReferenceDataError
from mnr.errors import MnrError

USER_ERRORS = (MnrError, FrameworkError, ReferenceDataError)


class MnrCommand(BaseCommand):
    """A command whose ``run`` may raise a user error; it is reported and the exit status is 1.

    Nothing is half-written: actions run in transactions, so a refused input changes nothing."""

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.run(*args, **options)
        except USER_ERRORS as error:
            raise CommandError(str(error)) from error

    def run(self, *args: Any, **options: Any) -> None:
        raise NotImplementedError

    def write_json(self, payload: Any) -> None:
        self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))


# Formats whose files carry another format's extension (an SDMX-CSV file is named .csv).
FILE_SUFFIXES = {"sdmx-csv": "csv", "sdmx-ml": "xml"}


def output_format(
    given: str | None,
    output: PurePath | None,
    formats: Sequence[str],
    *,
    known: Collection[str],
    default: str | None,
    what: str = "",
    needs_file: Collection[str] = (),
) -> str:
    """The format a command writes: ``given`` (``--format``), else the output file's extension
    (``-o plan.xlsx`` → ``xlsx``), else ``default`` (when there is none, ``--format`` is asked
    for). The one rule for every command that writes a file.

    Refused: a file whose extension names another ``known`` format than the one given (a file
    named ``.xlsx`` never holds CSV), a name that says no format, and a format in
    ``needs_file`` without ``-o``. ``what`` names the output in messages (``the findings
    export``)."""
    listed = "|".join(formats)
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    of = f" of {what}" if what else ""
    if given is not None:
        if suffix in known and suffix not in (given, FILE_SUFFIXES.get(given)):
            instead = f", or leave --format out to write {suffix}" if suffix in formats else ""
            raise MnrError(
                f"{output} is named .{suffix} but --format is {given}: name the file "
                f".{given}{instead}"
            )
        chosen = given
    elif output is None:
        if default is None:
            raise MnrError(f"choose the format{of} with --format {listed}")
        chosen = default
    elif suffix in formats:
        chosen = suffix
    else:
        raise MnrError(
            f"cannot tell the format{of} from the file name {output.name!r}: name it "
            f".{' or .'.join(formats)}, or give --format {listed}"
        )
    if chosen in needs_file and output is None:
        raise MnrError(f"--format {chosen} writes a file: give it with -o FILE.{chosen}")
    return chosen
