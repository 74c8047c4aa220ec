from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    name = "mnr.publications"
    label = "publications"
    verbose_name = "Publications"
