"""The rollups recomputed from the raw check-ins and walk-ins (``manage.py recount_rollups``).

Set-based: one GROUP BY per rollup table. The month is the local month (``TruncMonth`` in the
current time zone), as ``services.month_of`` computes it for a live check-in. ``Tally`` is summed
in Python from the attendance and walk-in rollups (a few rows per activity), with the same keys
``services.tally_keys`` gives a live check-in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, DateField, F, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from gonghui.activities.models import CheckIn, WalkIn
from gonghui.lib import fastsql
from gonghui.orgs.models import path_ids

from .models import AttendanceRollup, PeopleCount, PersonMonth, PersonYear, Tally, WalkInRollup
from .services import person_year_keys, tally_keys

AttKey = tuple[str, Any, int, str]


def _month(field: str) -> TruncMonth:
    return TruncMonth(field, output_field=DateField())


def expected_attendance() -> Iterator[tuple[AttKey, int, int, int]]:
    rows = (
        CheckIn.objects.annotate(m=_month("checked_at"))
        .values("organizer_path", "m", "activity_type_id", "person_org_path")
        .annotate(n=Count("id"), o=Max("organizer_id"), p=Max("person_org_id"))
        .order_by()
    )
    for r in rows.iterator(chunk_size=10_000):
        yield (r["organizer_path"], r["m"], r["activity_type_id"], r["person_org_path"]), r["n"], r["o"], r["p"]


def expected_walkins() -> Iterator[tuple[tuple[str, Any, int], int, int]]:
    rows = (
        WalkIn.objects.annotate(m=_month("recorded_at"), t=F("session__activity__activity_type_id"), o=F("session__activity__organizer_id"))
        .values("organizer_path", "m", "t", "o")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for r in rows.iterator(chunk_size=10_000):
        yield (r["organizer_path"], r["m"], r["t"]), r["n"], r["o"]


def expected_people() -> Iterator[tuple[str, Any, int, str, int, int, int]]:
    rows = (
        CheckIn.objects.annotate(m=_month("checked_at"))
        .values_list("organizer_path", "m", "activity_type_id", "person_org_path", "person_id")
        .annotate(o=Max("organizer_id"), p=Max("person_org_id"))
        .order_by()
    )
    yield from rows.iterator(chunk_size=10_000)


def _batches(it: Iterator[Any], size: int = 5_000) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for x in it:
        batch.append(x)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


_YEAR_OF_MONTH = {"sqlite": "CAST(strftime('%Y', pm.month) AS INTEGER)", "postgresql": "CAST(EXTRACT(YEAR FROM pm.month) AS INTEGER)"}


def fill_people_per_year() -> int:
    """``PersonYear`` and ``PeopleCount`` from ``PersonMonth`` (which holds every distinct
    organizer path × month × type × person), set-based: a temporary table maps each organizer path
    to the nodes on it, then one INSERT … SELECT DISTINCT per kind and type column, and one GROUP BY
    into the counters' shards. (Migrations reports/0003 and 0005 hold
    frozen copies for existing data.)"""
    pm, py, pc = PersonMonth._meta.db_table, PersonYear._meta.db_table, PeopleCount._meta.db_table
    paths = list(PersonMonth.objects.order_by().values_list("organizer_path", flat=True).distinct())
    year = _YEAR_OF_MONTH[connection.vendor]
    with connection.cursor() as cur:
        # Inside the caller's transaction: on an error the rollback takes the temporary table too.
        cur.execute("CREATE TEMPORARY TABLE rebuild_path_node (organizer_path varchar(255) NOT NULL, node bigint NOT NULL)")
        rows = [(p, node) for p in paths for node in path_ids(p)]
        for i in range(0, len(rows), 5_000):
            cur.executemany("INSERT INTO rebuild_path_node VALUES (%s, %s)", rows[i : i + 5_000])
        cur.execute("CREATE INDEX rebuild_path_node_path ON rebuild_path_node (organizer_path)")
        cur.execute("ANALYZE rebuild_path_node")
        kind = PersonYear.Kind
        for kind_, item, type_column, join in (
            (kind.SUBTREE, "0", "pm.activity_type_id", True),
            (kind.SUBTREE, "0", str(PersonYear.ALL_TYPES), True),
            (kind.OWN, "0", str(PersonYear.ALL_TYPES), False),
            (kind.PARTICIPANT, "pm.person_org_id", str(PersonYear.ALL_TYPES), True),
        ):
            node, nodes = ("a.node", "JOIN rebuild_path_node a ON a.organizer_path = pm.organizer_path") if join else ("pm.organizer_id", "")
            cur.execute(
                f"INSERT INTO {py} (org_id, year, activity_type, kind, item, person_id) "  # noqa: S608 - constants
                f"SELECT DISTINCT {node}, {year}, {type_column}, {kind_.value}, {item}, pm.person_id FROM {pm} pm {nodes}"
            )
        cur.execute(
            f"INSERT INTO {pc} (org_id, year, activity_type, kind, item, shard, people, updated_at) "  # noqa: S608
            f"SELECT org_id, year, activity_type, kind, item, person_id %% {PeopleCount.SHARDS}, COUNT(*), %s FROM {py} "
            f"GROUP BY org_id, year, activity_type, kind, item, person_id %% {PeopleCount.SHARDS}",
            [fastsql.db_now(timezone.now())],
        )
        cur.execute("DROP TABLE rebuild_path_node")
    return PersonYear.objects.count()


Fact = tuple[str, Any, int, int | None, int]  # organizer path, month, type, participant union (None: walk-ins), 人次


def raw_facts() -> Iterator[Fact]:
    for (path, month, type_id, _porg_path), n, _o, porg in expected_attendance():
        yield path, month, type_id, porg, n
    for (path, month, type_id), n, _o in expected_walkins():
        yield path, month, type_id, None, n


def rollup_facts() -> Iterator[Fact]:
    """The same from the stored attendance and walk-in rollups (``bench/dashboard.py`` fills
    those set-based without check-in rows)."""
    yield from AttendanceRollup.objects.values_list("organizer_path", "month", "activity_type_id", "person_org_id", "checkins").iterator()
    for path, month, type_id, n in WalkInRollup.objects.values_list("organizer_path", "month", "activity_type_id", "walkins").iterator():
        yield path, month, type_id, None, n


def expected_tally(facts: Iterator[Fact]) -> Counter[tuple[int, int, Any, int, int]]:
    want: Counter[tuple[int, int, Any, int, int]] = Counter()
    for path, month, type_id, porg, n in facts:
        for k in tally_keys(path, month, type_id, porg):
            want[k] += n
    return want


def fill_tally(facts: Iterator[Fact]) -> int:
    now = timezone.now()
    rows = [
        Tally(node_id=k[0], kind=k[1], period=k[2], activity_type=k[3], item=k[4], checkins=n, updated_at=now)
        for k, n in expected_tally(facts).items()
    ]
    Tally.objects.bulk_create(rows, batch_size=5_000)
    return len(rows)


@transaction.atomic
def rebuild() -> dict[str, int]:
    now = timezone.now()
    for model in (AttendanceRollup, WalkInRollup, PersonMonth, PersonYear, PeopleCount, Tally):
        model.objects.all().delete()
    counts = {"attendance": 0, "walkins": 0, "people": 0}
    for batch in _batches(expected_attendance()):
        AttendanceRollup.objects.bulk_create(
            AttendanceRollup(
                organizer_path=k[0],
                month=k[1],
                activity_type_id=k[2],
                person_org_path=k[3],
                checkins=n,
                organizer_id=o,
                person_org_id=p,
                updated_at=now,
            )
            for k, n, o, p in batch
        )
        counts["attendance"] += len(batch)
    for batch in _batches(expected_walkins()):
        WalkInRollup.objects.bulk_create(
            WalkInRollup(organizer_path=k[0], month=k[1], activity_type_id=k[2], walkins=n, organizer_id=o, updated_at=now) for k, n, o in batch
        )
        counts["walkins"] += len(batch)
    for batch in _batches(expected_people()):
        PersonMonth.objects.bulk_create(
            PersonMonth(
                organizer_path=r[0], month=r[1], activity_type_id=r[2], person_org_path=r[3], person_id=r[4], organizer_id=r[5], person_org_id=r[6]
            )
            for r in batch
        )
        counts["people"] += len(batch)
    counts["people_years"] = fill_people_per_year()
    counts["tally"] = fill_tally(raw_facts())
    return counts


def differences(limit: int = 20) -> list[str]:
    """Keys whose stored rollup differs from the raw recount (at most ``limit`` of each kind)."""
    out: list[str] = []
    want_att = {k: n for k, n, _, _ in expected_attendance()}
    have_att = {
        (r.organizer_path, r.month, r.activity_type_id, r.person_org_path): r.checkins
        for r in AttendanceRollup.objects.only("organizer_path", "month", "activity_type_id", "person_org_path", "checkins").iterator()
    }
    out += [
        f"人次 {k}: 汇总 {have_att.get(k, 0)} ≠ 原始 {want_att.get(k, 0)}"
        for k in sorted(want_att.keys() | have_att.keys(), key=str)
        if want_att.get(k) != have_att.get(k)
    ][:limit]
    want_walk = {k: n for k, n, _ in expected_walkins()}
    have_walk = {(r.organizer_path, r.month, r.activity_type_id): r.walkins for r in WalkInRollup.objects.all()}
    out += [
        f"散客 {k}: 汇总 {have_walk.get(k, 0)} ≠ 原始 {want_walk.get(k, 0)}"
        for k in sorted(want_walk.keys() | have_walk.keys(), key=str)
        if want_walk.get(k) != have_walk.get(k)
    ][:limit]
    raw_people = list(expected_people())
    want_pm = {r[:5] for r in raw_people}
    have_pm = set(PersonMonth.objects.values_list("organizer_path", "month", "activity_type_id", "person_org_path", "person_id").iterator())
    out += [f"人 {k}: 汇总缺少" for k in sorted(want_pm - have_pm, key=str)][:limit]
    out += [f"人 {k}: 汇总多出" for k in sorted(have_pm - want_pm, key=str)][:limit]
    people: dict[tuple[int, int, int, int, int], set[int]] = {}
    for organizer_path, month, type_id, _porg_path, person_id, _organizer_id, porg_id in raw_people:
        for key in person_year_keys(organizer_path, month.year, type_id, porg_id):
            people.setdefault(key, set()).add(person_id)
    want_py = {(*k, p) for k, persons in people.items() for p in persons}
    have_py = set(PersonYear.objects.values_list("org_id", "year", "activity_type", "kind", "item", "person_id").iterator())
    out += [f"年度人 {k}: 汇总缺少" for k in sorted(want_py - have_py)][:limit]
    out += [f"年度人 {k}: 汇总多出" for k in sorted(have_py - want_py)][:limit]
    want_pc = {k: len(persons) for k, persons in people.items()}
    shards = PeopleCount.objects.values_list("org_id", "year", "activity_type", "kind", "item").annotate(n=Sum("people")).order_by()
    have_pc = {(o, y, t, k, i): n for o, y, t, k, i, n in shards}
    out += [
        f"年度人数 {k}: 汇总 {have_pc.get(k, 0)} ≠ 原始 {want_pc.get(k, 0)}"
        for k in sorted(want_pc.keys() | have_pc.keys())
        if want_pc.get(k) != have_pc.get(k)
    ][:limit]
    want_tally = expected_tally(raw_facts())
    have_tally = {
        (r[0], r[1], r[2], r[3], r[4]): r[5]
        for r in Tally.objects.values_list("node_id", "kind", "period", "activity_type", "item", "checkins").iterator()
    }
    out += [
        f"分项人次 {k}: 汇总 {have_tally.get(k, 0)} ≠ 原始 {want_tally.get(k, 0)}"
        for k in sorted(want_tally.keys() | have_tally.keys(), key=str)
        if want_tally.get(k) != have_tally.get(k)
    ][:limit]
    return out
