"""An import job's life: upload (guarded) → preview (background) → apply (background, all or nothing)."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gonghui.audit import services as audit
from gonghui.lib.errors import ServiceError
from gonghui.orgs.models import Org

from . import guard, kinds, workbooks
from .models import ImportJob
from .reading import open_sheet

MAX_ERRORS_SHOWN = 100


@contextlib.contextmanager
def local_copy(field: Any) -> Iterator[Path]:
    """A path to the stored file on this machine (a temporary copy when storage is remote)."""
    try:
        yield Path(field.path)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp, field.open("rb") as src:
        shutil.copyfileobj(src, tmp)
        tmp.flush()
        yield Path(tmp.name)


def in_language(language: str | None) -> Any:
    """Work on a job in its uploader's language (what its messages and row errors are written in)."""
    return translation.override(language or settings.LANGUAGE_CODE)


def in_language_of(job_id: int) -> Any:
    """``in_language`` for a job known by its id (a task's argument)."""
    return in_language(ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first())


@transaction.atomic
def job_create(*, actor: Any, org: Org, kind: str, upload: Any) -> ImportJob:
    kinds.get(kind)
    if not org.is_open:
        raise ServiceError(_("该工会已撤销"), field="org")
    guard.check_upload(upload.name, upload.size)
    job = ImportJob(kind=kind, org=org, created_by=actor, filename=upload.name[-200:], language=translation.get_language() or "")
    job.file.save(f"{job.uid}.xlsx", upload, save=False)
    try:
        with local_copy(job.file) as path:
            guard.check_xlsx(path)
    except ServiceError:
        job.file.delete(save=False)
        raise
    job.save()
    audit.record(actor=actor, action="imports.upload", target=job, data={"kind": kind, "bytes": upload.size})
    from .tasks import preview_import

    transaction.on_commit(lambda: preview_import.enqueue(job.pk))
    return job


def _touch(job_id: int, **fields: Any) -> int:
    return ImportJob.objects.filter(pk=job_id).update(touched_at=timezone.now(), **fields)


def job_preview(*, job_id: int) -> ImportJob:
    """Validate and stage (chunked transactions, progress between them); writes no domain table."""
    job = ImportJob.objects.select_related("created_by", "org").get(pk=job_id)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.VALIDATING):
        return job
    kind = kinds.get(job.kind)
    _touch(job.pk, status=ImportJob.Status.VALIDATING)
    t0 = time.perf_counter()
    try:
        with local_copy(job.file) as path:
            guard.check_contents(path)
            sheet = open_sheet(path, sheet_name=kind.sheet_name, columns=kind.columns)
            _touch(job.pk, total_rows=sheet.total)
            result = kind.preview(job=job, sheet=sheet, progress=lambda n: _touch(job.pk, done_rows=n))
    except ServiceError as e:
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATING).update(
            status=ImportJob.Status.INVALID, message=e.message, finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job.pk)
    fields: dict[str, Any] = {
        "counts": result.counts,
        "errors": [[e.row, e.column, e.reason] for e in result.errors[:MAX_ERRORS_SHOWN]],
        "timings": {"preview_s": round(time.perf_counter() - t0, 3)},
        "done_rows": ImportJob.objects.get(pk=job.pk).total_rows,
        "finished_at": timezone.now(),
        "status": ImportJob.Status.VALID,
        "message": "",
    }
    if result.counts["reject"]:
        report = workbooks.error_report(sheet_name=kind.sheet_name, columns=kind.columns, rejected=result.rejected, errors=result.errors)
        job.error_report.save(f"{job.uid}-errors.xlsx", ContentFile(report), save=False)
        fields |= {
            "status": ImportJob.Status.INVALID,
            "message": ngettext(
                "有 %(n)d 行未通过校验，整份文件不会导入；请按错误报告修改后重新上传",
                "有 %(n)d 行未通过校验，整份文件不会导入；请按错误报告修改后重新上传",
                result.counts["reject"],
            )
            % {"n": result.counts["reject"]},
            "error_report": job.error_report.name,
        }
    # Conditional: if the cleanup failed this job meanwhile, its verdict stands and staging goes.
    if not ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATING).update(**fields):
        kind.discard(job=job)
    return ImportJob.objects.get(pk=job.pk)


def job_request_apply(*, actor: Any, job: ImportJob) -> ImportJob:
    """Claim the job for applying (only once, only when it validated cleanly) and enqueue it."""
    if job.created_by_id != getattr(actor, "pk", None):
        raise ServiceError(_("只能由上传人确认导入"), field="job")
    claimed = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALID).update(
        status=ImportJob.Status.APPLYING, message="", touched_at=timezone.now()
    )
    if not claimed:
        raise ServiceError(_("该导入当前不能执行（未通过校验、正在导入或已导入）"), field="job")
    from .tasks import apply_import

    transaction.on_commit(lambda: apply_import.enqueue(job.pk))
    job.refresh_from_db()
    return job


FAILED_CHANGED = gettext_lazy("导入失败：数据在预览后发生了变化（例如同一人员已被他人登记），未写入任何数据；请重新上传")


def job_apply(*, job_id: int) -> ImportJob:
    """All or nothing. The job row is locked for the whole transaction (a second delivery of the
    task, or the cleanup, waits and then finds the job no longer applying)."""
    kind = kinds.get(ImportJob.objects.values_list("kind", flat=True).get(pk=job_id))
    failure = ""
    try:
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().select_related("created_by", "org").get(pk=job_id)
            if job.status != ImportJob.Status.APPLYING:
                return job
            result = kind.apply(job=job)
            audit.record(
                actor=job.created_by,
                action="imports.apply",
                target=job,
                data={"kind": job.kind, "created": result["created"], "updated": result["updated"]},
            )
            _touch(
                job.pk,
                status=ImportJob.Status.APPLIED,
                finished_at=timezone.now(),
                timings={**job.timings, "merge_s": result.get("merge_s"), "merge_steps": result.get("steps", {})},
                counts={**job.counts, "created": result["created"], "updated": result["updated"]},
            )
    except DatabaseError:
        failure = str(FAILED_CHANGED)
    except ServiceError as e:
        failure = _("导入失败，未写入任何数据：%(message)s") % {"message": e.message}
    except Exception:
        _fail_applying(job_id, _("导入失败（系统错误），未写入任何数据；请联系管理员"))
        kind.discard(job=ImportJob.objects.get(pk=job_id))
        raise
    if failure:
        _fail_applying(job_id, failure)
    job = ImportJob.objects.get(pk=job_id)
    kind.discard(job=job)
    if job.status == ImportJob.Status.APPLIED and job.file:
        job.file.delete(save=True)  # the plain-text upload is not kept once its rows are in the encrypted tables
    return job


def _fail_applying(job_id: int, message: str) -> None:
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.APPLYING).update(
        status=ImportJob.Status.FAILED, message=message, finished_at=timezone.now()
    )


def jobs_cleanup(*, older_than: dt.timedelta = dt.timedelta(hours=1), keep_files: dt.timedelta = dt.timedelta(days=7)) -> int:
    """Jobs whose task stopped beating (a crashed worker) are failed and their staging dropped;
    uploads and error reports (plain personal data) older than ``keep_files`` are deleted.

    An interrupted apply wrote nothing (one transaction), so failing the job is the truth. The
    claim is a conditional UPDATE: a live apply holds the job row locked, so the cleanup waits for
    it and then finds it no longer applying. Periodic: ``manage.py imports_cleanup`` from cron.
    """
    now = timezone.now()
    cutoff = now - older_than
    stale = ImportJob.objects.filter(status__in=(ImportJob.Status.VALIDATING, ImportJob.Status.APPLYING)).filter(
        Q(touched_at__lt=cutoff) | Q(touched_at__isnull=True, created_at__lt=cutoff)
    )
    failed = 0
    for job in stale:
        with in_language(job.language):
            message = _("导入被中断（服务重启或故障），未写入任何数据；请重新上传")
        claimed = ImportJob.objects.filter(pk=job.pk, status=job.status).update(status=ImportJob.Status.FAILED, message=message, finished_at=now)
        if claimed:
            kinds.get(job.kind).discard(job=job)
            failed += 1
    for job in ImportJob.objects.filter(created_at__lt=now - keep_files).exclude(file="", error_report=""):
        if job.running:
            continue
        job.file.delete(save=False)
        job.error_report.delete(save=False)
        job.save(update_fields=["file", "error_report"])
    return failed
