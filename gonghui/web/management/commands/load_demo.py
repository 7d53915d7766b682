from django.core.management.base import BaseCommand

from gonghui.web import demo


class Command(BaseCommand):
    help = "Load the demo (the seed page's organizations, alliance and people). Safe to run twice."

    def handle(self, *args, **options):
        result = demo.load()
        if result.created:
            self.stdout.write(f"已载入演示数据：{result.orgs} 个组织，{result.people} 名人员。")
        else:
            self.stdout.write(f"演示数据已存在：{result.orgs} 个组织，{result.people} 名人员。")
        self.stdout.write(demo.logins_text())
