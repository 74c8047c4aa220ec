"""``mnr restore FILE.tar.gz``: a snapshot of ``mnr backup`` into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from mnr.commands import MnrCommand
from mnr.operations.restore import restore


class Command(MnrCommand):
    help = (
        "Restore a snapshot of mnr backup into an empty database (new, or only migrated) and "
        "an empty evidence folder, then check every table against the snapshot's checksums."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="FILE.tar.gz written by mnr backup")

    def run(self, *args: Any, archive: Path, **options: Any) -> None:
        restored = restore(archive)
        self.stdout.write(
            f"restored {archive} ({restored.kind}): {restored.tables} tables, {restored.rows} "
            f"rows, {restored.files} files; every table matches the snapshot's checksum"
        )
        if restored.pending_migrations:
            self.stdout.write("this mnr is newer than the snapshot: run mnr migrate next")
