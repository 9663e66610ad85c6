from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "changeboard.accounts"
    label = "accounts"
