from django.apps import AppConfig


class AlliancesConfig(AppConfig):
    name = "gonghui.alliances"
    verbose_name = "工会联盟"
