from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "mnr.surveys"
    label = "surveys"
