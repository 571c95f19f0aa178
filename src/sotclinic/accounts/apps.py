from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sotclinic.accounts"
    label = "accounts"
