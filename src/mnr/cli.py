"""The ``mnr`` command: Django's management commands with mnr's settings.

``mnr demo``, ``mnr serve``, ``mnr framework …``, ``mnr round …`` and Django's own commands
(``mnr migrate``, ``mnr createsuperuser``…) all run here; each honours ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mnr.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mnr", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
