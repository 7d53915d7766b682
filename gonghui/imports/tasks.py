"""Background work for imports: tasks take ids, are idempotent, and call services."""

from __future__ import annotations

from django.tasks import task


@task
def preview_import(job_id: int) -> None:
    from .services import job_preview

    job_preview(job_id=job_id)


@task
def apply_import(job_id: int) -> None:
    from .services import job_apply

    job_apply(job_id=job_id)
