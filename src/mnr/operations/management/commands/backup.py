"""``mnr backup -o FILE.tar.gz [--logical]``: a consistent, versioned snapshot of all data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.operations.backup import make_backup


class Command(MnrCommand):
    help = (
        "Write every table of the database and every uploaded file to one .tar.gz snapshot "
        "(docs/backup.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True, help="FILE.tar.gz")
        parser.add_argument(
            "--logical",
            action="store_true",
            help="rows as JSON lines instead of the database's own format (restores into "
            "SQLite or PostgreSQL; the default without pg_dump on PostgreSQL)",
        )

    def run(self, *args: Any, output: Path, logical: bool, **options: Any) -> None:
        summary = make_backup(output, logical_dump=logical)
        self.stdout.write(
            f"{summary.path}: {summary.tables} tables, {summary.rows} rows ({summary.kind}), "
            f"{summary.files} files"
        )
