from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "gonghui.web"
    verbose_name = "界面"
