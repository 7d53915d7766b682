from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "gonghui.activities"
    verbose_name = "活动"
