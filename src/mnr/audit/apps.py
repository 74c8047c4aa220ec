from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mnr.audit"
    label = "audit"
