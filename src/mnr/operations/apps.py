from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "mnr.operations"
    label = "operations"
