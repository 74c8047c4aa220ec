"""The ``mnr`` command: Django's management commands with mnr's settings.

``mnr demo``, ``mnr serve``, ``mnr framework …``, ``mnr round …`` and Django's own commands
(``mnr migrate``, ``mnr createsuperuser``…) all run here; each honours ``DATABASE_URL``.
"""

from __future__ import annotations

import os
import sys

# The exit status of a program stopped by SIGPIPE, as shells report it (128 + 13).
BROKEN_PIPE_STATUS = 141


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mnr.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["mnr", *(sys.argv[1:] if argv is None else argv)])
        # Output still buffered would meet a closed pipe at exit, outside this handler.
        sys.stdout.flush()
    except BrokenPipeError:
        # Whoever reads the output stopped (``mnr jurisdictions list | head``): stop quietly.
        # As the Python documentation advises, point stdout at devnull so that the final flush
        # at exit does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(BROKEN_PIPE_STATUS)
    except ImproperlyConfigured as error:
        # A setting from the environment is wrong or missing (MNR_ENV=production without a
        # secret key…): the message says which and what to do; a traceback would bury it.
        sys.exit(f"mnr: {error}")


if __name__ == "__main__":
    main()
