from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mnr.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from mnr.accounts.lockout import forget_failures_after_password
        from mnr.accounts.middleware import start_session_clock

        user_logged_in.connect(forget_failures_after_password, dispatch_uid="mnr-lockout-reset")
        user_logged_in.connect(start_session_clock, dispatch_uid="mnr-session-clock")
