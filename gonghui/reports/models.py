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
  of counting millions of distinct people; other periods count ``PersonMonth``. Rows of the
  other kinds count the people of one organizer's own activities and of one participant union
  (the dashboard's organizer and participant lists).
- ``Tally``: 人次 already summed per node of the organizer's path (the scope a dashboard is
  opened on), so a dashboard reads a few hundred rows at any scope instead of every rollup row
  below it: by month × type × child, and per calendar year by organizer and by participants'
  union.

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
    # No index: reads filter the type together with a leading key; no delete checks these rows.
    return models.ForeignKey("activities.ActivityType", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")


class AttendanceRollup(models.Model):
    organizer_path = BinaryCharField(max_length=255)
    month = models.DateField()  # first day of the check-in's month, Asia/Shanghai
    activity_type = _type()
    person_org_path = BinaryCharField(max_length=255)
    organizer = _org(index=False)  # stored for grouping; reads filter the paths
    person_org = _org(index=False)
    checkins = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organizer_path", "month", "activity_type", "person_org_path"], name="attendance_rollup_key"),
        ]

    def __str__(self) -> str:
        return f"{self.organizer_path} {self.month:%Y-%m} {self.activity_type_id} {self.person_org_path}: {self.checkins}"


class WalkInRollup(models.Model):
    organizer_path = BinaryCharField(max_length=255)
    month = models.DateField()  # first day of the month the head-count was recorded in
    activity_type = _type()
    organizer = _org(index=False)
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
    person_org = _org(index=False)  # person_month_porg_idx leads with it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organizer_path", "month", "activity_type", "person_org_path", "person"], name="person_month_key"),
        ]
        # 人 of a participant union (the dashboard's participant list) reads its rows by this.
        indexes = [models.Index(fields=["person_org", "month"], name="person_month_porg_idx")]

    def __str__(self) -> str:
        return f"{self.organizer_path} {self.month:%Y-%m} {self.activity_type_id} {self.person_org_path}: {self.person_id}"


class PersonYear(models.Model):
    """One row per (node, year, type, kind, item, person): the person checked in at least once
    that year at an activity organized in ``org``'s subtree as the tree was at that moment
    (``org`` is any node on the organizer's path, itself included). ``activity_type`` 0 stands
    for every type. Written insert-or-ignore by the check-in; a row that was new adds one to
    ``PeopleCount``.

    ``kind`` narrows what is counted (every type only, for the dashboard's lists):
    ``SUBTREE`` (item 0) the whole subtree; ``OWN`` (item 0) the activities ``org`` itself
    organized; ``PARTICIPANT`` (item: a union) the people of that union, in ``org``'s subtree."""

    ALL_TYPES = 0

    class Kind(models.IntegerChoices):
        SUBTREE = 0
        OWN = 1
        PARTICIPANT = 2

    org = _org(index=False)  # person_year_key leads with it
    year = models.PositiveSmallIntegerField()
    activity_type = models.PositiveIntegerField()  # an ActivityType id, or ALL_TYPES
    kind = models.PositiveSmallIntegerField(choices=Kind.choices, default=Kind.SUBTREE, db_default=Kind.SUBTREE)
    item = models.PositiveBigIntegerField(default=0, db_default=0)  # PARTICIPANT: the union's id
    person = models.ForeignKey("people.Person", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year", "activity_type", "kind", "item", "person"], name="person_year_key")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.activity_type} {self.get_kind_display()} {self.item}: {self.person_id}"


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
    kind = models.PositiveSmallIntegerField(choices=PersonYear.Kind.choices, default=PersonYear.Kind.SUBTREE, db_default=PersonYear.Kind.SUBTREE)
    item = models.PositiveBigIntegerField(default=0, db_default=0)  # as PersonYear
    shard = models.PositiveSmallIntegerField()
    people = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year", "activity_type", "kind", "item", "shard"], name="people_count_key")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.activity_type} {self.get_kind_display()} {self.item} #{self.shard}: {self.people}"


class Tally(models.Model):
    """人次 summed per node of the organizer's path as it was at the check-in (or walk-in), so a
    scope's figures are read from its own node's rows, never by summing the rows below it.
    Written by the check-in in one multi-row upsert; rebuilt from ``AttendanceRollup`` and
    ``WalkInRollup`` by ``recount_rollups``.

    - ``BY_CHILD``: per month and type; ``item`` is the node right below ``node`` on the path
      (0: facts ``node`` organized itself). Check-ins and walk-ins. A node's rows sum to its
      subtree's 人次; grouped by item they are its sub-org breakdown.
    - ``BY_ORGANIZER``: per calendar year, every type (``activity_type`` 0); ``item`` is the
      organizer. Check-ins and walk-ins: the organizer list of ``node``'s dashboard.
    - ``BY_PARTICIPANT``: per calendar year, every type; ``item`` is the participant's union.
      Check-ins only (walk-ins have no union).
    """

    class Kind(models.IntegerChoices):
        BY_CHILD = 1
        BY_ORGANIZER = 2
        BY_PARTICIPANT = 3

    node = _org(index=False)  # tally_key leads with it
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    period = models.DateField()  # BY_CHILD: the first of the month; else 1 January of the year
    activity_type = models.PositiveIntegerField()  # an ActivityType id, or PersonYear.ALL_TYPES
    item = models.PositiveBigIntegerField()  # an org id, or 0 (BY_CHILD: the node itself)
    checkins = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["node", "kind", "period", "activity_type", "item"], name="tally_key")]
        # The organizer and participant lists read their top rows straight off this index.
        indexes = [models.Index(fields=["node", "kind", "period", "activity_type", "-checkins"], name="tally_top_idx")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.get_kind_display()} {self.period} {self.activity_type} {self.item}: {self.checkins}"
