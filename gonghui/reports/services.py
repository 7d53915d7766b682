"""Writes for reports: the rollups (called by the check-in service) and campaigns.

``rollup_checkin`` / ``rollup_walkin`` run inside the caller's transaction right after it inserted
a NEW check-in or walk-in row, so the figures are exact the moment that transaction commits.
Each is a few upserts on a unique index (``INSERT … ON CONFLICT``, which both SQLite ≥ 3.35 and
PostgreSQL accept, with ``RETURNING``); no scan, no read-modify-write race. A check-in adds one to
its ``Tally`` rows (one multi-row upsert: three per node on the organizer's path). It also marks
its person in every node of the organizer's path for the year, in the organizer's own count and in
its union's count under each node (one multi-row insert-or-ignore, skipped when the person-month row already existed: then these
keys exist too); only the rows that were new bump their ``PeopleCount`` (one multi-row upsert,
usually skipped: a person seen this year already is counted).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit import services as audit
from gonghui.lib import fastsql
from gonghui.lib.errors import ServiceError
from gonghui.orgs.models import Org, path_ids

from .models import AttendanceRollup, PeopleCount, PersonMonth, PersonYear, Tally, WalkInRollup

if TYPE_CHECKING:
    from gonghui.activities.models import Campaign, CampaignTarget, CheckIn, WalkIn


def month_of(at: dt.datetime) -> dt.date:
    """The first day of ``at``'s month in the deployment's time zone (the reports' period)."""
    return timezone.localtime(at).date().replace(day=1)


_ATT = AttendanceRollup._meta.db_table
_WALK = WalkInRollup._meta.db_table
_PM = PersonMonth._meta.db_table
_PY = PersonYear._meta.db_table
_PC = PeopleCount._meta.db_table
_TALLY = Tally._meta.db_table

_ATTENDANCE_UPSERT = f"""
INSERT INTO {_ATT} (organizer_path, month, activity_type_id, person_org_path, organizer_id, person_org_id, checkins, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, 1, %s)
ON CONFLICT (organizer_path, month, activity_type_id, person_org_path)
DO UPDATE SET checkins = {_ATT}.checkins + 1, updated_at = excluded.updated_at
"""  # noqa: S608 - table names are constants
_PERSON_INSERT = f"""
INSERT INTO {_PM} (organizer_path, month, activity_type_id, person_org_path, person_id, organizer_id, person_org_id)
VALUES (%s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (organizer_path, month, activity_type_id, person_org_path, person_id) DO NOTHING RETURNING person_id
"""  # noqa: S608
_WALKIN_UPSERT = f"""
INSERT INTO {_WALK} (organizer_path, month, activity_type_id, organizer_id, walkins, updated_at)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (organizer_path, month, activity_type_id)
DO UPDATE SET walkins = {_WALK}.walkins + excluded.walkins, updated_at = excluded.updated_at
"""  # noqa: S608


def person_year_keys(organizer_path: str, year: int, activity_type_id: int, person_org_id: int) -> list[tuple[int, int, int, int, int]]:
    """The (node, year, type, kind, item) keys one check-in makes its person count in: every node
    on the organizer's path, for its own type and for every type; the organizer's own count; and
    the participant union's count under every node on the path."""
    nodes = path_ids(organizer_path)
    every, kind = PersonYear.ALL_TYPES, PersonYear.Kind
    keys = [(node, year, t, kind.SUBTREE.value, 0) for node in nodes for t in (activity_type_id, every)]
    keys.append((nodes[-1], year, every, kind.OWN.value, 0))
    return keys + [(node, year, every, kind.PARTICIPANT.value, person_org_id) for node in nodes]


def tally_keys(organizer_path: str, month: dt.date, activity_type_id: int, person_org_id: int | None) -> list[tuple[int, int, dt.date, int, int]]:
    """The (node, kind, period, type, item) ``Tally`` keys of one fact: every node on the
    organizer's path, by child, by organizer and (for a check-in, which has a participant union)
    by participant union."""
    nodes = path_ids(organizer_path)
    year = month.replace(month=1)
    keys = [(n, Tally.Kind.BY_CHILD.value, month, activity_type_id, nodes[i + 1] if i + 1 < len(nodes) else 0) for i, n in enumerate(nodes)]
    keys += [(n, Tally.Kind.BY_ORGANIZER.value, year, PersonYear.ALL_TYPES, nodes[-1]) for n in nodes]
    if person_org_id is not None:
        keys += [(n, Tally.Kind.BY_PARTICIPANT.value, year, PersonYear.ALL_TYPES, person_org_id) for n in nodes]
    return keys


def _tally_upsert(keys: list[tuple[int, int, dt.date, int, int]], n: int, now: Any) -> tuple[str, list[Any]]:
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(keys))
    sql = (
        f"INSERT INTO {_TALLY} (node_id, kind, period, activity_type, item, checkins, updated_at) VALUES {values} "  # noqa: S608
        f"ON CONFLICT (node_id, kind, period, activity_type, item) "
        f"DO UPDATE SET checkins = {_TALLY}.checkins + excluded.checkins, updated_at = excluded.updated_at"
    )
    return sql, [x for k in keys for x in (*k, n, now)]


def _count_person_year(cur: Any, *, checkin: CheckIn, year: int, now: Any) -> None:
    keys = person_year_keys(checkin.organizer_path, year, checkin.activity_type_id, checkin.person_org_id)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(keys))
    cur.execute(
        f"INSERT INTO {_PY} (org_id, year, activity_type, kind, item, person_id) VALUES {values} "  # noqa: S608 - constants and placeholders
        "ON CONFLICT (org_id, year, activity_type, kind, item, person_id) DO NOTHING RETURNING org_id, activity_type, kind, item",
        [x for k in keys for x in (*k, checkin.person_id)],
    )
    new = cur.fetchall()
    if not new:  # the person already counted everywhere this year: the common case
        return
    shard = checkin.person_id % PeopleCount.SHARDS
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, 1, %s)"] * len(new))
    cur.execute(
        f"INSERT INTO {_PC} (org_id, year, activity_type, kind, item, shard, people, updated_at) VALUES {values} "  # noqa: S608
        f"ON CONFLICT (org_id, year, activity_type, kind, item, shard) DO UPDATE SET people = {_PC}.people + 1, updated_at = excluded.updated_at",
        [x for org_id, t, kind, item in new for x in (org_id, year, t, kind, item, shard, now)],
    )


class CheckinRollup:
    """The rollup statements of one new check-in, their keys (month, tally rows) computed when it
    is made, so a caller can prepare them before its transaction and ``write`` them inside it
    (SQLite holds its single write lock from BEGIN to COMMIT). Write it once per new row, never for a refused
    duplicate: the unique (session, person) constraint refuses those before we get here. The
    person's rows first; the shared counters (attendance rollup, tallies: every check-in of a
    province and type in a month updates its root row) last, so on PostgreSQL their row locks
    are held for the least time before the commit."""

    def __init__(self, checkin: CheckIn) -> None:
        month = month_of(checkin.checked_at)
        self.checkin, self.year = checkin, month.year
        self.key = (checkin.organizer_path, month, checkin.activity_type_id, checkin.person_org_path)
        self.person = [*self.key, checkin.person_id, checkin.organizer_id, checkin.person_org_id]
        self.tally_keys = tally_keys(checkin.organizer_path, month, checkin.activity_type_id, checkin.person_org_id)

    def write(self, cur: Any) -> None:
        """Run the statements. ``updated_at`` (the figures' "as of") is taken here, inside the
        caller's transaction, so it follows commit order even when the write waited for the lock."""
        now = fastsql.db_now(timezone.now())
        cur.execute(_PERSON_INSERT, self.person)
        # A person-month row that existed means the same transaction that wrote it (or the
        # rebuild that filled both) wrote its person-year keys too.
        if cur.fetchone() is not None:
            _count_person_year(cur, checkin=self.checkin, year=self.year, now=now)
        cur.execute(_ATTENDANCE_UPSERT, [*self.key, self.checkin.organizer_id, self.checkin.person_org_id, now])
        cur.execute(*_tally_upsert(self.tally_keys, 1, now))


def rollup_checkin(*, checkin: CheckIn) -> None:
    """Count a check-in that was just inserted, in the caller's transaction (``CheckinRollup``)."""
    rollup = CheckinRollup(checkin)
    with connection.cursor() as cur:
        rollup.write(cur)


def rollup_walkin(*, walkin: WalkIn) -> None:
    """Add a walk-in head-count that was just inserted. Organizer and type come from its activity."""
    activity = walkin.session.activity
    month = month_of(walkin.recorded_at)
    now = fastsql.db_now(timezone.now())
    with connection.cursor() as cur:
        cur.execute(_WALKIN_UPSERT, [walkin.organizer_path, month, activity.activity_type_id, activity.organizer_id, walkin.count, now])
        cur.execute(*_tally_upsert(tally_keys(walkin.organizer_path, month, activity.activity_type_id, None), walkin.count, now))


# --- campaigns -------------------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    actor: Any,
    org: Org,
    name: str,
    unit: str,
    starts_on: dt.date,
    ends_on: dt.date,
    activity_type: Any = None,
    description: str = "",
) -> Campaign:
    from gonghui.activities.models import Campaign

    name = name.strip()
    if not name:
        raise ServiceError(_("专项名称不能为空"), field="name")
    if ends_on < starts_on:
        raise ServiceError(_("结束日期不能早于开始日期"), field="ends_on")
    if unit not in Campaign.Unit.values:
        raise ServiceError(_("计量单位无效"), field="unit")
    if not org.is_open:
        raise ServiceError(_("发起工会已撤销"), field="org")
    c = Campaign.objects.create(
        name=name,
        org=org,
        org_path=org.path,
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        activity_type=activity_type,
        description=description.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(actor=actor, action="reports.campaign_create", target=c, data={"unit": unit})
    return c


@transaction.atomic
def campaign_set_target(*, actor: Any, campaign: Campaign, org: Org, target: int) -> CampaignTarget:
    """Set (or change) the target of one sub-org: a union inside the campaign's org subtree."""
    from gonghui.activities.models import CampaignTarget

    if org.pk == campaign.org_id or not org.path.startswith(campaign.org.path):
        raise ServiceError(_("目标工会须为发起工会的下级工会"), field="org")
    if target < 0:
        raise ServiceError(_("目标数不能为负数"), field="target")
    try:
        with transaction.atomic():
            row, created = CampaignTarget.objects.update_or_create(campaign=campaign, org=org, defaults={"target": target})
    except IntegrityError:  # a concurrent first set of the same sub-org: it exists now
        row = CampaignTarget.objects.get(campaign=campaign, org=org)
        row.target, created = target, False
        row.save(update_fields=["target"])
    audit.record(actor=actor, action="reports.campaign_target", target=campaign, data={"org": org.pk, "target": target, "created": created})
    return row
