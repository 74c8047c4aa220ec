from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "mnr.evidence"
    label = "evidence"
    verbose_name = "Evidence files"
