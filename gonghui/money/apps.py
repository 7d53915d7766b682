from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "gonghui.money"
    verbose_name = "资金"
