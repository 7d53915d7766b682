"""bench/dashboard — the statistics dashboard from rollups vs a raw GROUP BY over the check-ins.

    .venv/bin/python bench/dashboard.py --rows 1000000 --db sqlite
    .venv/bin/python bench/dashboard.py --rows 1000000 --db postgresql
    .venv/bin/python bench/dashboard.py --rows 16000000 --db sqlite

Builds a national tree (31 provinces × 10 prefectures × 10 counties × 8 grassroots unions; the
Org rows down to prefectures exist, deeper nodes only as paths) and ``--rows`` attendance rows
shaped like activities: each activity has an organizer (30 % prefectures/counties, 70 %
grassroots), a type, a month in 2025–2026, 1–4 sessions and participants from 3 unions of the
organizer's prefecture (each union 200 people); a session draws up to 400 of them. The raw rows go
into ``bench_checkin``: the columns and the (organizer_path, checked_at) index of
``activities_checkin`` that statistics read (FKs left out so 16 M rows load in minutes). The
rollup tables are then filled from it with set-based INSERT … SELECT … GROUP BY, exactly the rows
``rollup_checkin`` would have produced one by one.

Timed (median of 15 after 3 warm-ups), for a province and for the national root, year 2026:
``queries.dashboard`` (everything the page computes: figures 期/场次/人次/人, monthly trend,
by type, by sub-org, by organizer, by participants' union), and the raw GROUP BYs over
``bench_checkin`` giving the same 人次/人 figures, trend and by-type breakdown. The ratio is raw/rollup.
The ``Tally`` rows come from the rollup rows through ``rebuild.fill_tally`` (the same keys a live
check-in writes); "tally rows" is how many of them the scope's dashboard reads by child.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

import _db

ROOT, OUT = _db.ROOT, _db.OUT
SQLITE_PATH = OUT / "dashboard.sqlite3"
TZ8 = dt.timezone(dt.timedelta(hours=8))


def prepare(db: str, *, fresh: bool = True) -> None:
    _db.prepare(db, sqlite_path=SQLITE_PATH, pg_name="gonghui_bench_dash", fresh=fresh)


def tree() -> tuple[list[tuple], dict[str, list[str]], list[str]]:
    """Org rows (root, provinces, prefectures), units per prefecture path, organizer paths."""
    orgs = [(1, None, "/1/", 0, "national")]
    units: dict[str, list[str]] = {}
    organizers: list[str] = []
    nid = 1
    for _p in range(31):
        nid += 1
        ppath, pid = f"/1/{nid}/", nid
        orgs.append((pid, 1, ppath, 1, "province"))
        for _c in range(10):
            nid += 1
            cpath = f"{ppath}{nid}/"
            orgs.append((nid, pid, cpath, 2, "prefecture"))
            units[cpath] = []
            organizers.append(cpath)
            for k in range(10):
                county = f"{cpath}{10_000 + len(units) * 100 + k * 10}/"
                organizers.append(county)
                for u in range(8):
                    path = f"{county}{1_000_000 + len(units) * 1000 + k * 10 + u}/"
                    units[cpath].append(path)
    return orgs, units, organizers


def rows(n: int, units: dict[str, list[str]], organizers: list[str], seed: int = 7):  # type: ignore[no-untyped-def]
    """Yield (organizer_path, person_org_path, activity_type_id, checked_at UTC, person_id)."""
    rnd = random.Random(seed)
    cities = list(units)
    done = 0
    while done < n:
        city = rnd.choice(cities)
        organizer = rnd.choice(units[city]) if rnd.random() < 0.7 else city
        type_id = rnd.randint(1, 10)
        month = dt.date(2025 + rnd.randint(0, 1), rnd.randint(1, 12), 1)
        pool_orgs = rnd.sample(units[city], 3)
        pool = [(po, int(po.rstrip("/").rsplit("/", 1)[1]) * 200 + i) for po in pool_orgs for i in range(200)]
        for _s in range(rnd.randint(1, 4)):
            day = dt.datetime(month.year, month.month, rnd.randint(1, 28), rnd.randint(8, 20), tzinfo=TZ8).astimezone(dt.UTC)
            for po, person in rnd.sample(pool, min(len(pool), rnd.randint(100, 400), n - done)):
                yield organizer, po, type_id, day, person
                done += 1
            if done >= n:
                return


def load(n: int, db: str) -> dict[str, float]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.activities.models import ActivityType
    from gonghui.orgs.models import Org
    from gonghui.reports import rebuild

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    for i in range(1, 11):
        ActivityType.objects.update_or_create(pk=i, defaults={"code": f"t{i}", "name": f"类型{i}", "sort": i})
    orgs, units, organizers = tree()
    Org.objects.bulk_create(
        [
            Org(id=i, parent_id=p, path=path, depth=d, level=lv, org_type="federation", region_code="110000", code=f"B{i}", name=f"工会{i}")
            for i, p, path, d, lv in orgs
        ]
    )
    ts = "TIMESTAMPTZ" if db == "postgresql" else "DATETIME"
    coll = ' COLLATE "C"' if db == "postgresql" else ""
    with connection.cursor() as cur:
        cur.execute(
            f"CREATE TABLE bench_checkin (organizer_path VARCHAR(255){coll} NOT NULL, person_org_path VARCHAR(255){coll} NOT NULL,"
            f" activity_type_id BIGINT NOT NULL, checked_at {ts} NOT NULL, person_id BIGINT NOT NULL)"
        )
    t1 = time.perf_counter()
    batch: list[tuple] = []
    if db == "sqlite":
        with transaction.atomic(), connection.cursor() as cur:
            for r in rows(n, units, organizers):
                batch.append((r[0], r[1], r[2], r[3].strftime("%Y-%m-%d %H:%M:%S"), r[4]))
                if len(batch) == 100_000:
                    cur.executemany("INSERT INTO bench_checkin VALUES (%s, %s, %s, %s, %s)", batch)
                    batch = []
            if batch:
                cur.executemany("INSERT INTO bench_checkin VALUES (%s, %s, %s, %s, %s)", batch)
    else:
        raw = connection.connection if connection.connection else (connection.ensure_connection() or connection.connection)
        with raw.cursor() as cur, cur.copy("COPY bench_checkin FROM STDIN") as copy:
            for r in rows(n, units, organizers):
                copy.write_row((r[0], r[1], r[2], r[3], r[4]))
        raw.commit()
    t2 = time.perf_counter()
    month = (
        "date(checked_at, '+8 hours', 'start of month')" if db == "sqlite" else "(date_trunc('month', checked_at AT TIME ZONE 'Asia/Shanghai'))::date"
    )

    def last_id(col: str) -> str:
        # The last element of a path: the org id (organizer or participant union).
        if db == "postgresql":
            return f"CAST(split_part(rtrim({col}, '/'), '/', -1) AS BIGINT)"
        return f"CAST(replace(rtrim({col}, '/'), rtrim(rtrim({col}, '/'), '0123456789'), '') AS INTEGER)"

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE INDEX bench_checkin_orgpath_at ON bench_checkin (organizer_path, checked_at)")
        cur.execute(
            "INSERT INTO reports_attendancerollup (organizer_path, month, activity_type_id, person_org_path, organizer_id, person_org_id, checkins, updated_at)"
            f" SELECT organizer_path, {month}, activity_type_id, person_org_path, {last_id('organizer_path')}, {last_id('person_org_path')}, COUNT(*), %s"
            f" FROM bench_checkin GROUP BY organizer_path, {month}, activity_type_id, person_org_path",
            [now],
        )
        cur.execute(
            "INSERT INTO reports_personmonth (organizer_path, month, activity_type_id, person_org_path, person_id, organizer_id, person_org_id)"
            f" SELECT organizer_path, m, activity_type_id, person_org_path, person_id, {last_id('organizer_path')}, {last_id('person_org_path')}"
            f" FROM (SELECT DISTINCT organizer_path, {month} AS m, activity_type_id, person_org_path, person_id FROM bench_checkin) d",
        )
    t_pm = time.perf_counter()
    with transaction.atomic():
        people_years = rebuild.fill_people_per_year()  # the app's own set-based fill, from the person-month rows
    print(f"person-year rows: {people_years:,} in {time.perf_counter() - t_pm:.1f} s", flush=True)
    t_tally = time.perf_counter()
    with transaction.atomic():
        tallies = rebuild.fill_tally(rebuild.rollup_facts())  # the app's own fill, from the rollup rows
    print(f"tally rows: {tallies:,} in {time.perf_counter() - t_tally:.1f} s", flush=True)
    with connection.cursor() as cur:
        if db == "sqlite":
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if db == "postgresql":
        raw = connection.connection
        raw.autocommit = True
        with raw.cursor() as c:
            c.execute("VACUUM (ANALYZE)")
            c.execute("CHECKPOINT")
        raw.autocommit = False
    t3 = time.perf_counter()
    return {"setup_s": t1 - t0, "raw_load_s": t2 - t1, "rollups_s": t3 - t2}


def timed(fn, rounds: int = 15, warm: int = 3) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    for _ in range(warm):
        out = fn()
    ms = []
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        ms.append((time.perf_counter() - t) * 1000)
    return statistics.median(ms), out


def parts(org, period) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The dashboard's main reads one by one (median ms): where its time goes."""
    from gonghui.reports import queries
    from gonghui.reports.models import Tally

    scope = queries.Scope.of(org, period)
    organizers = queries._top(scope, Tally.Kind.BY_ORGANIZER)
    porg = queries._top(scope, Tally.Kind.BY_PARTICIPANT)
    steps = {
        "tally by child": lambda: queries._by_child(scope),
        "人 (counter)": lambda: queries._people(scope),
        "top organizers": lambda: queries._top(scope, Tally.Kind.BY_ORGANIZER),
        "top participant unions": lambda: queries._top(scope, Tally.Kind.BY_PARTICIPANT),
        "organizers' 人": lambda: queries._own_people(scope, organizers, period.first.year),
        "participant unions' 人": lambda: queries._participant_people(scope, porg),
    }
    return {name: round(timed(fn, rounds=7, warm=2)[0], 1) for name, fn in steps.items()}


def measure(db: str) -> list[dict]:
    from django.db import connection

    from gonghui.orgs.models import Org
    from gonghui.reports import queries
    from gonghui.reports.models import AttendanceRollup, PersonMonth

    period = queries.Period.year(2026)
    start, end = period.start, period.end
    if db == "sqlite":
        # Raw SQL on SQLite compares text: pass the bounds as Django stores datetimes there (UTC,
        # no offset). "2026-01-01 00:00:00+08:00" would sort after a stored "2026-01-01 00:00:00"
        # and drop the rows of 08:00 local on New Year's Day from the raw side.
        start, end = (d.astimezone(dt.UTC).replace(tzinfo=None) for d in (start, end))
    results = []
    for label, org in (("province", Org.objects.get(pk=2)), ("national root", Org.objects.get(pk=1))):
        upper = org.path[:-1] + chr(ord(org.path[-1]) + 1)
        params = [org.path, upper, start, end]
        where = "organizer_path >= %s AND organizer_path < %s AND checked_at >= %s AND checked_at < %s"
        month = "strftime('%%Y-%%m', checked_at, '+8 hours')" if db == "sqlite" else "date_trunc('month', checked_at AT TIME ZONE 'Asia/Shanghai')"

        def raw(where: str = where, params: list = params, month: str = month) -> tuple:
            with connection.cursor() as cur:
                cur.execute(f"SELECT COUNT(*), COUNT(DISTINCT person_id) FROM bench_checkin WHERE {where}", params)
                totals = cur.fetchone()
                cur.execute(f"SELECT {month}, COUNT(*) FROM bench_checkin WHERE {where} GROUP BY 1", params)
                by_month = cur.fetchall()
                cur.execute(f"SELECT activity_type_id, COUNT(*) FROM bench_checkin WHERE {where} GROUP BY 1", params)
                by_type = cur.fetchall()
            return totals, sorted(by_month), sorted(by_type)

        rollup_ms, board = timed(lambda org=org: queries.dashboard(org, period))
        figures_ms, _ = timed(lambda org=org: queries.figures(queries.Scope.of(org, period)))
        # 人 for a period that is not one calendar year (no counter): distinct over person-month rows
        people_ms, _ = timed(
            lambda org=org: PersonMonth.objects.filter(queries.Scope.of(org, period).rollup_q()).values("person_id").distinct().count()
        )
        raw_ms, raw_out = timed(raw, rounds=3, warm=1)
        breakdown = parts(org, period)
        f = board.figures
        assert (f.attendance, f.people) == raw_out[0], (f, raw_out[0])  # the rollups equal the raw recount
        scope_rows = AttendanceRollup.objects.filter(queries.Scope.of(org, period).rollup_q()).count()
        tally_rows = len(queries._by_child(queries.Scope.of(org, period))[0])
        pm_rows = PersonMonth.objects.filter(queries.Scope.of(org, period).rollup_q()).count()
        results.append(
            {
                "scope": label,
                "attendance": f.attendance,
                "people": f.people,
                "rollup_rows": scope_rows,
                "person_month_rows": pm_rows,
                "tally_rows": tally_rows,
                "dashboard_ms": round(rollup_ms, 1),
                "figures_ms": round(figures_ms, 1),
                "people_distinct_ms": round(people_ms, 1),
                "raw_ms": round(raw_ms, 1),
                "ratio": round(raw_ms / rollup_ms, 1),
                "parts_ms": breakdown,
            }
        )
    with connection.cursor() as cur:
        t = time.perf_counter()
        cur.execute(f"SELECT organizer_path, {month}, COUNT(*) FROM bench_checkin GROUP BY 1, 2".replace("%%", "%"))
        n_groups = len(cur.fetchall())
        full_ms = (time.perf_counter() - t) * 1000
    results.append({"scope": "raw GROUP BY organizer × month, all rows", "groups": n_groups, "raw_ms": round(full_ms, 1)})
    return results


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--measure-only", action="store_true", help="reuse the database a previous run loaded (same --rows)")
    args = ap.parse_args()
    prepare(args.db, fresh=not args.measure_only)
    import django

    django.setup()
    from django.db import connection

    gen = {"reused": True} if args.measure_only else load(args.rows, args.db)
    with connection.cursor() as cur:
        counts = {}
        for t in ("bench_checkin", "reports_attendancerollup", "reports_personmonth", "reports_personyear", "reports_peoplecount", "reports_tally"):
            cur.execute(f"SELECT COUNT(*) FROM {t}")
            counts[t] = cur.fetchone()[0]
    print(f"{args.db}, {args.rows:,} rows: load {gen}; table rows {counts}")
    for r in measure(args.db):
        print(r)


if __name__ == "__main__":
    main()
