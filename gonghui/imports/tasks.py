"""Background work for imports: tasks take ids, are idempotent, and call services."""

from __future__ import annotations

from django.tasks import task


@task
def preview_import(job_id: int) -> None:
    from .services import in_language_of, job_preview

    with in_language_of(job_id):
        job_preview(job_id=job_id)


@task
def apply_import(job_id: int) -> None:
    from .services import in_language_of, job_apply

    with in_language_of(job_id):
        job_apply(job_id=job_id)
