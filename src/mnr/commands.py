"""What every mnr management command shares: user errors become clean messages on stderr."""

from __future__ import annotations

import json
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
