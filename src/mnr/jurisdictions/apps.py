from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_reference(**kwargs: Any) -> None:
    from mnr.jurisdictions.actions import load_reference

    load_reference(source="migrate")


class JurisdictionsConfig(AppConfig):
    name = "mnr.jurisdictions"
    label = "jurisdictions"

    def ready(self) -> None:
        post_migrate.connect(_load_reference, sender=self)
