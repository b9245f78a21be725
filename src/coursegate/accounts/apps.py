from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "coursegate.accounts"
    label = "accounts"
    verbose_name = "Accounts and roles"
