from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded file on its way through preview and apply.

    Progress is written between the chunk transactions of the preview (each commits on its own),
    never inside the apply transaction, so a poll is never blocked by the import itself.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("已上传")
        VALIDATING = "validating", _("校验中")
        VALID = "valid", _("校验通过，待导入")
        INVALID = "invalid", _("校验未通过")
        APPLYING = "applying", _("导入中")
        APPLIED = "applied", _("已导入")
        FAILED = "failed", _("失败")

    uid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)  # in URLs: not guessable
    kind = models.CharField(max_length=20)
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    done_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # create / update / unchanged / reject
    errors = models.JSONField(default=list, blank=True)  # first errors: [row, column, reason]
    error_report = models.FileField(upload_to="imports/%Y/%m/", max_length=300, blank=True)
    message = models.CharField(max_length=500, blank=True)
    # The uploader's UI language: the background tasks write the job's messages and row errors
    # in it (a worker has no request to take a language from).
    language = models.CharField(max_length=10, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    # Validated rows of small kinds (orgs), applied row by row through the services; large kinds
    # (people) stage in their own tables instead.
    staged = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Heartbeat of the task working on the job: set at each step and each progress update, so the
    # cleanup can tell a crashed job from a long one.
    touched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} {self.status}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org

    @property
    def percent(self) -> int:
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0

    @property
    def running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.VALIDATING, self.Status.APPLYING)
