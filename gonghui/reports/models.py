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
- ``PersonYear`` + ``PeopleCount``: 人 per node subtree, calendar year and type as a counter, so
  the common question (a whole year, any scope up to the national root) reads one row instead
  of counting millions of distinct people; other periods count ``PersonMonth``.

期 and 场次 are counted from ``Activity``/``Session`` directly: those tables are small and their
status (cancellation) changes after the fact, which a rollup would have to chase.
"""

from __future__ import annotations

from django.db import models

from gonghui.lib.fields import BinaryCharField


def _org(related: str = "+", *, index: bool = True) -> models.ForeignKey:
    # No database constraint: orgs are never deleted (PROTECT elsewhere) and the upsert stays one
    # index probe on PostgreSQL. ``index=False`` where a unique key already leads with the org:
    # a second index would only be paid by every insert.
    return models.ForeignKey("orgs.Org", on_delete=models.DO_NOTHING, db_constraint=False, db_index=index, related_name=related)


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


class PersonYear(models.Model):
    """One row per (node, year, type, person): the person checked in at least once that year at an
    activity organized in ``org``'s subtree as the tree was at that moment (``org`` is any node on
    the organizer's path, itself included). ``activity_type`` 0 stands for every type. Written
    insert-or-ignore by the check-in; a row that was new adds one to ``PeopleCount``."""

    ALL_TYPES = 0

    org = _org(index=False)  # person_year_key leads with it
    year = models.PositiveSmallIntegerField()
    activity_type = models.PositiveIntegerField()  # an ActivityType id, or ALL_TYPES
    person = models.ForeignKey("people.Person", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year", "activity_type", "person"], name="person_year_key")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.activity_type}: {self.person_id}"


class PeopleCount(models.Model):
    """人 for a node's subtree in a calendar year (per type, or ``PersonYear.ALL_TYPES``): the
    number of its ``PersonYear`` rows, kept as a counter so a whole-year figure is a few rows
    read at any scope. Split into ``SHARDS`` rows by ``person_id % SHARDS`` so the first
    check-ins of the year across the country do not all queue on the root's one row (PostgreSQL
    row locks); each person is in exactly one shard, so the shards' sum is exact. Never summed
    across nodes."""

    SHARDS = 16

    org = _org(index=False)  # people_count_key leads with it
    year = models.PositiveSmallIntegerField()
    activity_type = models.PositiveIntegerField()
    shard = models.PositiveSmallIntegerField()
    people = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year", "activity_type", "shard"], name="people_count_key")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.activity_type} #{self.shard}: {self.people}"
