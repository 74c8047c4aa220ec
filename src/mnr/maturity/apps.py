from django.apps import AppConfig


class MaturityConfig(AppConfig):
    name = "mnr.maturity"
    label = "maturity"
    verbose_name = "Maturity"
