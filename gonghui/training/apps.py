from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "gonghui.training"
    verbose_name = "分批培训"
