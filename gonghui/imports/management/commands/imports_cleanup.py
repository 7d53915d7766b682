from django.core.management.base import BaseCommand

from gonghui.imports.services import jobs_cleanup


class Command(BaseCommand):
    help = "Fail import jobs interrupted by a crash (validating/applying for over an hour) and drop their staging rows."

    def handle(self, *args, **options):
        self.stdout.write(f"{jobs_cleanup()} interrupted import job(s) marked failed")
