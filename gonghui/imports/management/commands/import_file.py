"""Import a workbook from the command line, with the same services as the web upload.

manage.py import_file --user chaohu_cadre --org D340181-0011 名册.xlsx --apply
"""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from gonghui.accounts.models import User
from gonghui.imports import services
from gonghui.lib.errors import ServiceError
from gonghui.orgs import policy
from gonghui.orgs.models import Org


class Command(BaseCommand):
    help = "Preview (and with --apply, import) an .xlsx file as a user, into an org they operate."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True)
        parser.add_argument("--org", required=True, help="org code")
        parser.add_argument("--kind", default="people")
        parser.add_argument("--apply", action="store_true")

    def handle(self, *args, path, user, org, kind, apply, **options):
        actor = User.objects.filter(username=user, is_active=True).first()
        target = Org.objects.filter(code=org).first()
        if actor is None or target is None or not policy.user_can(actor, "operate", target):
            raise CommandError("用户或组织不存在，或该用户无权向该组织导入")
        data = Path(path).read_bytes()
        try:
            job = services.job_create(actor=actor, org=target, kind=kind, upload=SimpleUploadedFile(Path(path).name, data))
            job = services.job_preview(job_id=job.pk)
            self.stdout.write(f"job {job.pk} {job.status} {job.counts} {job.message}")
            for row, column, reason in job.errors[:20]:
                self.stdout.write(f"  第{row}行 {column}：{reason}")
            if apply and job.status == job.Status.VALID:
                services.job_request_apply(actor=actor, job=job)
                job = services.job_apply(job_id=job.pk)
                self.stdout.write(f"job {job.pk} {job.status} {job.counts} {job.timings}")
        except ServiceError as e:
            raise CommandError(e.message) from None
        if job.status not in (job.Status.VALID, job.Status.APPLIED):
            raise CommandError(job.message or job.status)
