from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mnr.accounts"
    label = "accounts"
