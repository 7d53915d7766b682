"""分批培训: a staff list split into N batches so each department keeps most of its people working.

Attendance has one source of truth: ``TrainingAttendance`` rows, written only by the training
services (marked by hand, or copied from the check-ins of the activities session a batch is
linked to). A batch's session is optional, so the module works without the activities app's UI.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.lib.fields import BinaryCharField


class TrainingPlan(models.Model):
    class Source(models.TextChoices):
        ROLL = "roll", _("会员名册")
        UPLOAD = "upload", _("导入名单")

    MAX_BATCHES = 50

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="training_plans", verbose_name=_("组织单位"))
    org_path = BinaryCharField(max_length=255, db_index=True)
    title = models.CharField(_("培训名称"), max_length=100)
    batch_count = models.PositiveSmallIntegerField(_("分批数"))
    source = models.CharField(_("名单来源"), max_length=8, choices=Source.choices)
    activity = models.ForeignKey(
        "activities.Activity", null=True, blank=True, on_delete=models.PROTECT, related_name="training_plans", verbose_name=_("关联活动")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(batch_count__gte=1) & Q(batch_count__lte=50), name="training_plan_batch_count_range")]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.org


class TrainingBatch(models.Model):
    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="batches")
    number = models.PositiveSmallIntegerField(_("批次"))
    starts_on = models.DateField(_("培训日期"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    session = models.ForeignKey(
        "activities.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="training_batches", verbose_name=_("活动场次")
    )

    class Meta:
        ordering = ["plan", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="training_batch_number_once")]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.number}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.plan.org


class TrainingAssignment(models.Model):
    """One listed person, in exactly one batch of the plan (unique per plan)."""

    plan = models.ForeignKey(TrainingPlan, on_delete=models.PROTECT, related_name="assignments")
    batch = models.ForeignKey(TrainingBatch, on_delete=models.PROTECT, related_name="assignments")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="training_assignments")
    department = models.CharField(_("部门"), max_length=100)

    class Meta:
        ordering = ["batch", "department", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "person"], name="training_assignment_once_per_plan")]
        indexes = [models.Index(fields=["plan", "department"], name="training_assign_plan_dept_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.person_id} → {self.batch_id}"

    @property
    def audit_org(self):  # type: ignore[no-untyped-def]
        return self.plan.org


class TrainingAttendance(models.Model):
    """The person attended their batch. At most one per assignment; removed when unmarked."""

    class Method(models.TextChoices):
        MANUAL = "manual", _("手工登记")
        CHECKIN = "checkin", _("活动签到")

    assignment = models.OneToOneField(TrainingAssignment, on_delete=models.PROTECT, related_name="attendance")
    method = models.CharField(max_length=8, choices=Method.choices)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.assignment_id} @ {self.marked_at:%Y-%m-%d}"
