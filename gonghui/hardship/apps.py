from django.apps import AppConfig


class HardshipConfig(AppConfig):
    name = "gonghui.hardship"
    verbose_name = "困难职工帮扶"
