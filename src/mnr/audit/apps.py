from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mnr.audit"
    label = "audit"

    def ready(self) -> None:
        from mnr.audit import receivers

        receivers.connect()
