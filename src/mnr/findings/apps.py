from django.apps import AppConfig


class FindingsConfig(AppConfig):
    name = "mnr.findings"
    label = "findings"
