from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_shipped_frameworks(**kwargs: Any) -> None:
    from mnr.frameworks.actions import load_shipped

    load_shipped(source="migrate")


class FrameworksConfig(AppConfig):
    name = "mnr.frameworks"
    label = "frameworks"

    def ready(self) -> None:
        # The MNR and its instruments are reference data every feature needs: installing the
        # schema installs them too (idempotent; a changed file needs a new version).
        post_migrate.connect(_load_shipped_frameworks, sender=self)
