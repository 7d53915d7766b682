from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from gonghui.orgs import policy

from .models import ImportJob


def jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    """A job is its uploader's, while its union is still in their scope."""
    if not user.is_authenticated:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(policy.scope_q(user, "operate", field="org__path"), created_by=user).select_related("org")


def get_job_for_user(user: Any, pk: Any) -> ImportJob:
    job = jobs_visible_to(user).filter(uid=pk).first()
    if job is None:
        raise Http404
    return job
