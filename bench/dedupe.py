"""bench/dedupe — 比对 of a campaign's applications against a million household files.

    .venv/bin/python bench/dedupe.py --db sqlite --files 1000000
    .venv/bin/python bench/dedupe.py --db postgres --files 1000000
    .venv/bin/python bench/dedupe.py --files 20000 --applications 1000   # quick check

A fresh database gets a small org tree (a root and 31 provinces, one holder per province) and
``--files`` household files on record with 2 or 3 members each (2.5 a file on average), inserted
directly (executemany on SQLite, COPY on PostgreSQL) with what the services would write: the
member's ID number encrypted, its blind index from ``dedupe.bidx`` (the same HMAC key and
purpose, so the keys are identical), and one ``HouseholdClaim`` per number. ID numbers are valid
18-digit numbers made from a running index, so they are unique by construction.

Then ``--applications`` new households (2 or 3 ID numbers each; exactly 10 % of them include one
number already on a file) are screened:

1. ``dedupe.check_numbers(households)`` — the batch screening (median of 3 after the first, cold,
   call);
2. a plain loop: for each number, parse, blind-index and one indexed single-row lookup
   (``HouseholdClaim.objects.filter(id_bidx=…).values_list("file_id").first()``).

Printed: load times, both timings and their ratio, and the conflicts found; both results are
compared with the expected one (which file holds which planted number) and must match exactly.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from array import array

import _db

ROOT, OUT = _db.ROOT, _db.OUT
SQLITE_PATH = OUT / "dedupe.sqlite3"
PG_NAME = "gonghui_bench_dedupe"
REGIONS = ["340100", "340200", "341200", "341282", "110101", "310101", "440106", "510104", "630102", "650102"]
BIRTH0 = dt.date(1950, 1, 1)
BATCH = 50_000


def prepare(db: str, *, fresh: bool = True) -> None:
    _db.prepare(db, sqlite_path=SQLITE_PATH, pg_name=PG_NAME, fresh=fresh)


def id_number(i: int) -> str:
    """The i-th synthetic ID number: region, birth date and sequence from i; valid check digit."""
    from gonghui.lib.idcard import check_char

    j, r = divmod(i, len(REGIONS))
    days, seq = divmod(j, 1000)
    first17 = f"{REGIONS[r]}{BIRTH0 + dt.timedelta(days=days):%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def load(n_files: int, db: str) -> tuple[dict[str, float], array, int]:
    """The files, members and claims. Returns timings, member index → file id, and member count."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.hardship import dedupe
    from gonghui.lib import crypto
    from gonghui.orgs import services as org_services
    from gonghui.people import services as people_services

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    root = org_services.org_create(
        actor=None, parent=None, data={"name": "中华全国总工会", "level": "national", "org_type": "federation", "region_code": "110000"}
    )
    places = []
    for p in range(31):
        org = org_services.org_create(
            actor=None, parent=root, data={"name": f"省总工会{p}", "level": "province", "org_type": "federation", "region_code": "340000"}
        )
        holder = people_services.person_register(actor=None, org=org, data={"name": f"户主{p}", "id_number": id_number(10**8 + p), "phone": ""})
        places.append((org.pk, org.path, holder.pk))
    t1 = time.perf_counter()

    rnd = random.Random(5)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    file_of = array("i")
    members = 0

    def files():  # type: ignore[no-untyped-def]
        for f in range(1, n_files + 1):
            org_id, path, holder_id = places[f % len(places)]
            yield (f, org_id, path, holder_id, "formal", "grassroots", False, "active", "deep", "340100", "urban", "illness", "", "",
                   0, 0, 0, 0, "", "", "", "", True, True, None, None, "", now, now, today, None, None, None)  # fmt: skip

    def people():  # type: ignore[no-untyped-def]
        nonlocal members
        for f in range(1, n_files + 1):
            for k in range(2 if rnd.random() < 0.5 else 3):
                number = id_number(members)
                members += 1
                file_of.append(f)
                yield (f, ("self", "spouse", "child")[k], "成员", crypto.encrypt(number, aad=b"hardship.member.id"), dedupe.bidx(number),
                       number[-4:], int(number[6:10]), "healthy", "", None, "employed", 0, 0, 0, 0, k + 1)  # fmt: skip

    file_cols = (
        "id, org_id, org_path, holder_id, kind, level, is_migrant_worker, status, category, region_code, area, cause_main, cause_secondary,"
        " accident_event, medical_expense_fen, education_expense_fen, other_expense_fen, job_cost_fen, housing_type, housing_area,"
        " bank_cipher, bank_tail, application_signed, consent_signed, notice_from, notice_to, cancel_reason, created_at, changed_at,"
        " filed_on, closed_on, purged_at, created_by_id"
    )
    member_cols = (
        "file_id, relation, name, id_cipher, id_bidx, id_tail, birth_year, health, disability_type, disability_grade, work_status,"
        " wage_fen, pension_fen, relief_fen, other_income_fen, sort"
    )
    if db == "sqlite":
        with transaction.atomic(), connection.cursor() as cur:
            _executemany(cur, f"INSERT INTO hardship_hardshipfile ({file_cols}) VALUES ({', '.join(['%s'] * 33)})", files())
            t2 = time.perf_counter()
            claims: list[tuple[str, int]] = []
            member_rows = people()

            def with_claims():  # type: ignore[no-untyped-def]
                for row in member_rows:
                    claims.append((row[4], row[0]))
                    yield row

            _executemany(cur, f"INSERT INTO hardship_householdmember ({member_cols}) VALUES ({', '.join(['%s'] * 16)})", with_claims())
            t3 = time.perf_counter()
            claims.sort()  # in index order: the unique index is appended to, not split at random
            _executemany(
                cur, "INSERT INTO hardship_householdclaim (id_bidx, file_id, claimed_at) VALUES (%s, %s, %s)", ((b, f, now) for b, f in claims)
            )
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cur:
            with cur.copy(f"COPY hardship_hardshipfile ({file_cols}) FROM STDIN") as copy:
                for row in files():
                    copy.write_row(row)
            t2 = time.perf_counter()
            claims = []
            with cur.copy(f"COPY hardship_householdmember ({member_cols}) FROM STDIN") as copy:
                for row in people():
                    copy.write_row(row)
                    claims.append((row[4], row[0]))
            t3 = time.perf_counter()
            with cur.copy("COPY hardship_householdclaim (id_bidx, file_id, claimed_at) FROM STDIN") as copy:
                for b, f in claims:
                    copy.write_row((b, f, now))
            cur.execute("SELECT setval(pg_get_serial_sequence('hardship_hardshipfile', 'id'), %s)", [n_files])
        if not raw.autocommit:
            raw.commit()
        was, raw.autocommit = raw.autocommit, True
        with raw.cursor() as c:
            c.execute("VACUUM (ANALYZE)")
            c.execute("CHECKPOINT")
        raw.autocommit = was
    t4 = time.perf_counter()
    return {"setup_s": t1 - t0, "files_s": t2 - t1, "members_s": t3 - t2, "claims_and_analyze_s": t4 - t3}, file_of, members


def _executemany(cur, sql: str, rows) -> None:  # type: ignore[no-untyped-def]
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            cur.executemany(sql, batch)
            batch = []
    if batch:
        cur.executemany(sql, batch)


def applications(n: int, file_of: array, members: int) -> tuple[list[list[str]], list[list[int]]]:
    """``n`` households of 2–3 numbers; every tenth includes one number already on a file."""
    rnd = random.Random(11)
    fresh = members + 1000  # numbers from here on are on no file
    out, expected = [], []
    for h in range(n):
        size = rnd.choice((2, 3))
        numbers = [id_number(fresh + k) for k in range(size)]
        fresh += size
        held: list[int] = []
        if h % 10 == 0:
            m = rnd.randrange(members)
            numbers[rnd.randrange(size)] = id_number(m)
            held = [file_of[m]]
        out.append(numbers)
        expected.append(held)
    return out, expected


def measure(households: list[list[str]], expected: list[list[int]]) -> dict[str, object]:
    from gonghui.hardship import dedupe
    from gonghui.hardship.models import HouseholdClaim
    from gonghui.lib import idcard

    t = time.perf_counter()
    cold = dedupe.check_numbers(households)
    cold_s = time.perf_counter() - t
    assert cold == expected, "check_numbers: wrong result"
    warm = []
    for _ in range(3):
        t = time.perf_counter()
        got = dedupe.check_numbers(households)
        warm.append(time.perf_counter() - t)
        assert got == expected
    batch_s = statistics.median(warm)

    def plain() -> list[list[int]]:
        result = []
        for h in households:
            held = set()
            for raw in h:
                key = dedupe.bidx(idcard.parse(raw).number)
                file_id = HouseholdClaim.objects.filter(id_bidx=key).values_list("file_id", flat=True).first()
                if file_id is not None:
                    held.add(file_id)
            result.append(sorted(held))
        return result

    t = time.perf_counter()
    loop = plain()
    loop_s = time.perf_counter() - t
    assert loop == expected, "plain loop: wrong result"
    numbers = sum(len(h) for h in households)
    return {
        "households": len(households),
        "numbers": numbers,
        "conflicting_households": sum(1 for e in cold if e),
        "expected_conflicting": sum(1 for e in expected if e),
        "check_numbers_cold_s": round(cold_s, 3),
        "check_numbers_s": round(batch_s, 3),
        "plain_loop_s": round(loop_s, 3),
        "ratio_loop_to_batch": round(loop_s / batch_s, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--files", type=int, default=1_000_000)
    ap.add_argument("--applications", type=int, default=10_000)
    args = ap.parse_args()
    prepare(args.db)
    import django

    django.setup()
    from gonghui.hardship.models import HardshipFile, HouseholdClaim, HouseholdMember

    load_s, file_of, members = load(args.files, args.db)
    counts = (HardshipFile.objects.count(), HouseholdMember.objects.count(), HouseholdClaim.objects.count())
    print(
        f"{args.db}: {counts[0]:,} files, {counts[1]:,} members, {counts[2]:,} claims; load " + ", ".join(f"{k} {v:.1f}" for k, v in load_s.items())
    )
    assert counts == (args.files, members, members)
    households, expected = applications(args.applications, file_of, members)
    result = measure(households, expected)
    print(result)
    assert result["conflicting_households"] == result["expected_conflicting"] == (args.applications + 9) // 10


if __name__ == "__main__":
    main()
