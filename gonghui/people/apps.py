from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "gonghui.people"
    verbose_name = "人员与会员"
