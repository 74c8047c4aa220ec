from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "mnr.reports"
    label = "reports"
