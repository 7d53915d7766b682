"""Pre-aggregated attendance rollups, kept current by the check-in service in its own transaction.

Every row is keyed by the moment's facts copied from the check-in (the organizer's and the
participant's union paths, the activity type, the local month of the check-in), so a later
transfer or subtree move changes nothing here. The organizer and participant union ids are the
last element of those paths; they are stored for grouping.

- ``AttendanceRollup``: 人次 from check-ins, one row per key, incremented by an upsert.
- ``WalkInRollup``: 人次 from walk-in head-counts (no participant union: they have no identity).
- ``PersonMonth``: one row per person per key (insert-or-ignore), so 人 over any range of months,
  subtree and type is an exact ``COUNT(DISTINCT person_id)`` over a table far smaller than the
  check-ins — distinct people cannot be summed across rollup rows.

期 and 场次 are counted from ``Activity``/``Session`` directly: those tables are small and their
status (cancellation) changes after the fact, which a rollup would have to chase.
"""

from __future__ import annotations

from django.db import models

from gonghui.lib.fields import BinaryCharField


def _org(related: str = "+") -> models.ForeignKey:
    # No database constraint: orgs are never deleted (PROTECT elsewhere) and the upsert stays one
    # index probe on PostgreSQL.
    return models.ForeignKey("orgs.Org", on_delete=models.DO_NOTHING, db_constraint=False, related_name=related)


def _type() -> models.ForeignKey:
    return models.ForeignKey("activities.ActivityType", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")


class AttendanceRollup(models.Model):
    organizer_path = BinaryCharField(max_length=255)
    month = models.DateField()  # first day of the check-in's month, Asia/Shanghai
    activity_type = _type()
    person_org_path = BinaryCharField(max_length=255)
    organizer = _org()
    person_org = _org()
    checkins = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organizer_path", "month", "activity_type", "person_org_path"], name="attendance_rollup_key"),
        ]
        indexes = [models.Index(fields=["person_org_path", "month"], name="attendance_rollup_porg_idx")]

    def __str__(self) -> str:
        return f"{self.organizer_path} {self.month:%Y-%m} {self.activity_type_id} {self.person_org_path}: {self.checkins}"


class WalkInRollup(models.Model):
    organizer_path = BinaryCharField(max_length=255)
    month = models.DateField()  # first day of the month the head-count was recorded in
    activity_type = _type()
    organizer = _org()
    walkins = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organizer_path", "month", "activity_type"], name="walkin_rollup_key")]

    def __str__(self) -> str:
        return f"{self.organizer_path} {self.month:%Y-%m} {self.activity_type_id}: +{self.walkins}"


class PersonMonth(models.Model):
    organizer_path = BinaryCharField(max_length=255)
    month = models.DateField()
    activity_type = _type()
    person_org_path = BinaryCharField(max_length=255)
    person = models.ForeignKey("people.Person", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    organizer = _org()
    person_org = _org()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organizer_path", "month", "activity_type", "person_org_path", "person"], name="person_month_key"),
        ]
        indexes = [models.Index(fields=["person_org_path", "month"], name="person_month_porg_idx")]

    def __str__(self) -> str:
        return f"{self.organizer_path} {self.month:%Y-%m} {self.activity_type_id} {self.person_org_path}: {self.person_id}"
