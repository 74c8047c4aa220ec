from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "mnr.web"
    label = "web"
