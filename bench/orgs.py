"""bench/orgs: a province cadre's member roll and org tree at national scale.

Acceptance: with 15,000 orgs and 1,000,000 people, the first page of the member roll and the org tree
page answer with p95 < 50 ms on SQLite and on PostgreSQL (server time through django.test.Client).

    .venv/bin/python bench/orgs.py                                   # full size, SQLite then PostgreSQL
    .venv/bin/python bench/orgs.py --orgs 500 --people 20000 --db sqlite   # quick check
    .venv/bin/python bench/orgs.py --db postgresql --reuse --explain # re-time the last build; plans of every query

Each run rebuilds its own database (bench/out/orgs.sqlite3, or gonghui_bench on the local PostgreSQL)
unless --reuse, and writes its figures to bench/out/orgs-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import random
import subprocess
import sys
import time
from collections import Counter
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SQLITE_PATH = OUT / "orgs.sqlite3"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql://postgres@127.0.0.1:5432/gonghui_bench"
TARGET_MS = 50.0
CHUNK = 50_000

# GB/T 2260 province-level divisions; the big province (the cadre's scope) comes first.
PROVINCES = [
    *("44广东省", "11北京市", "12天津市", "13河北省", "14山西省", "15内蒙古自治区", "21辽宁省", "22吉林省", "23黑龙江省", "31上海市", "32江苏省"),
    *("33浙江省", "34安徽省", "35福建省", "36江西省", "37山东省", "41河南省", "42湖北省", "43湖南省", "45广西壮族自治区", "46海南省", "50重庆市"),
    *("51四川省", "52贵州省", "53云南省", "54西藏自治区", "61陕西省", "62甘肃省", "63青海省", "64宁夏回族自治区", "65新疆维吾尔自治区"),
]
FIRMS = ("华兴", "宏达", "金穗", "振兴", "鑫源", "恒通", "永安", "新华", "东方", "长城", "远航", "国泰", "润泽", "瑞丰", "天成", "安达")
TRADES = ("机械", "纺织", "电子", "物流", "食品", "建材", "化工", "医药", "商贸", "物业")
GRASSROOTS_TYPES = ("single", "single", "single", "joint", "community")

ORG_COLS = (
    "id name short_name parent_id path depth code level org_type region_code "
    "unit_name unit_credit_code unit_category contact status close_reason member_count"
)
PERSON_COLS = (
    "id name id_cipher id_bidx id_head id_tail sex birth_date phone_cipher phone_bidx phone_masked "
    "ethnicity political_status education is_migrant_worker org_id org_path created_at updated_at"
)
MEMBERSHIP_COLS = "id person_id org_id org_path status joined_on created_at"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--orgs", type=int, default=15_000)
    p.add_argument("--people", type=int, default=1_000_000)
    p.add_argument("--big-share", type=float, default=0.3, help="share of people in the big province (the cadre's scope)")
    p.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--requests", type=int, default=200, help="timed requests per page")
    p.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--explain", action="store_true", help="print the plan of every SELECT each page runs")
    p.add_argument("--reuse", action="store_true", help="time the database an earlier run left (no rebuild; sizes as built then)")
    return p.parse_args()


# ---------------------------------------------------------------------------- database


def prepare_database(db: str, *, reuse: bool) -> None:
    """Fresh, empty bench database (unless reused); Django is pointed at it through the environment."""
    OUT.mkdir(parents=True, exist_ok=True)
    if db == "sqlite":
        for suffix in ("", "-wal", "-shm") if not reuse else ():
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = str(SQLITE_PATH)
    else:
        import psycopg

        if not reuse:
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS gonghui_bench WITH (FORCE)")
                conn.execute("CREATE DATABASE gonghui_bench")
        os.environ["DATABASE_URL"] = PG_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    # Production settings (not DEBUG, not TESTING); dev keys and collected static files of its own.
    os.environ["GONGHUI_VAR_DIR"] = str(OUT / "var")
    os.environ.pop("GONGHUI_TESTING", None)
    sys.path.insert(0, str(ROOT))


# ---------------------------------------------------------------------------- data


def build_tree(n_orgs: int) -> list[dict]:
    """National root, provinces, prefectures, counties, towns, grassroots; ids in level order.

    Fan-outs are shares of ``n_orgs`` (15,000 → 31 / 314 / 1,272 / 3,892 / 9,490); the first
    province takes 4× its share of prefectures, so it is also the biggest subtree.
    """
    n_prov = min(len(PROVINCES), max(1, n_orgs // 100))
    rest = n_orgs - 1 - n_prov
    counts = [n_prov]
    for share in (0.021, 0.085, 0.26):
        counts.append(max(counts[-1], round(rest * share)))
    counts.append(n_orgs - 1 - sum(counts))
    if counts[-1] < counts[-2]:
        raise SystemExit(f"--orgs {n_orgs} is too small for a six-level tree")
    root = {"id": 1, "parent": None, "path": "/1/", "depth": 0, "level": "national", "type": "federation", "region": "110000", "label": "中华全国"}
    orgs, levels, kids = [root], [[root]], Counter()

    def add(parent: dict, level: str, org_type: str, region: str, label: str) -> dict:
        pk = len(orgs) + 1
        node = {"id": pk, "parent": parent["id"], "path": f"{parent['path']}{pk}/", "depth": parent["depth"] + 1}
        node.update(level=level, type=org_type, region=region, label=label)
        orgs.append(node)
        return node

    levels.append([add(root, "province", "federation", p[:2] + "0000", p[2:]) for p in PROVINCES[:n_prov]])
    specs = [("prefecture", "federation"), ("county", "federation"), ("town", "town"), ("grassroots", "")]
    for (level, org_type), count in zip(specs, counts[1:], strict=True):
        parents = levels[-1] if level != "prefecture" or n_prov == 1 else levels[-1][:1] * 3 + levels[-1]
        row = []
        for j in range(count):
            parent = parents[j % len(parents)]
            kids[parent["id"]] += 1
            k = kids[parent["id"]]
            two = f"{(k - 1) % 99 + 1:02d}"
            if level == "prefecture":
                row.append(add(parent, level, org_type, parent["region"][:2] + two + "00", f"{parent['label']}第{k}市"))
            elif level == "county":
                row.append(add(parent, level, org_type, parent["region"][:4] + two, f"{parent['label']}第{k}区县"))
            elif level == "town":
                row.append(add(parent, level, org_type, parent["region"], f"{parent['label']}第{k}街道"))
            else:
                unit = f"{FIRMS[j % len(FIRMS)]}{TRADES[j % len(TRADES)]}第{k}有限公司"
                row.append(add(parent, level, GRASSROOTS_TYPES[j % len(GRASSROOTS_TYPES)], parent["region"], unit))
        levels.append(row)
    return orgs


def org_rows(orgs: list[dict], counts: Counter) -> list[tuple]:
    rows = []
    for o in orgs:
        grassroots = o["level"] == "grassroots"
        name = o["label"] + ("工会" if grassroots else "街道总工会" if o["level"] == "town" else "总工会")
        unit, category = (o["label"], "110") if grassroots else ("", "")
        row = (o["id"], name, "", o["parent"], o["path"], o["depth"], f"B{o['id']:08d}", o["level"], o["type"], o["region"], unit, "", category)
        rows.append((*row, "", "open", "", counts[o["id"]]))
    return rows


def people_rows(assignment: list[dict], seed: int, ts: object):
    """(person, membership) rows; ID numbers unique per (region, birth date, seq)."""
    from gonghui.lib import crypto, idcard, names
    from gonghui.lib.masking import mask_phone
    from gonghui.people.services import id_bidx, phone_bidx

    rng = random.Random(seed + 1)
    per_region: Counter = Counter()
    first_birth, days = dt.date(1968, 1, 1).toordinal(), 13_870  # born 1968–2005
    first_join = dt.date(2000, 1, 1).toordinal()
    for pid, org in enumerate(assignment, start=1):
        region = org["region"]
        k = per_region[region] * 1_000_003 % (days * 100)  # a bijection: scattered birth dates, never a repeat
        per_region[region] += 1
        birth = dt.date.fromordinal(first_birth + k // 100)
        number = idcard.make_id(region, birth, k % 100, sex=rng.choice("MF"))
        sex = "M" if int(number[16]) % 2 else "F"
        phone = names.mobile(rng) if rng.random() < 0.6 else ""
        phone_fields = (crypto.encrypt(phone, aad=b"person.phone"), phone_bidx(phone), mask_phone(phone)) if phone else ("", "", "")
        person = (pid, names.person_name(rng), crypto.encrypt(number, aad=b"person.id"), id_bidx(number), number[:3], number[-4:], sex)
        person += (birth.isoformat(), *phone_fields, "汉族", "", "", rng.random() < 0.2, org["id"], org["path"], ts, ts)
        joined = dt.date.fromordinal(first_join + rng.randrange(9_000)).isoformat()
        yield person, (pid, pid, org["id"], org["path"], "active", joined, ts)


def generate(args: argparse.Namespace, vendor: str) -> tuple[dict, dict[str, float]]:
    """Fill the bench database; returns the big province and the timings (seconds)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.orgs.models import Org
    from gonghui.people.models import Membership, Person

    t0 = time.perf_counter()
    orgs = build_tree(args.orgs)
    big = orgs[1]
    grassroots = [o for o in orgs if o["level"] == "grassroots"]
    in_big = [o for o in grassroots if o["path"].startswith(big["path"])]
    elsewhere = [o for o in grassroots if not o["path"].startswith(big["path"])] or in_big
    rng = random.Random(args.seed)
    assignment = [rng.choice(in_big if rng.random() < args.big_share else elsewhere) for _ in range(args.people)]
    counts = Counter(o["id"] for o in assignment)
    now = timezone.now().replace(microsecond=0)
    ts = now if vendor == "postgresql" else now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    connection.ensure_connection()
    raw = connection.connection
    if vendor == "sqlite":
        raw.execute("PRAGMA cache_size=-1000000")  # this connection only; closed before timing

    def insert(model, cols: str, rows) -> None:
        """Rows for ``cols``; any other column the model has gets its field default ("" for blank text)."""
        names_ = cols.split()
        others = [f for f in model._meta.concrete_fields if f.column not in names_]
        filler = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
        names_ += [f.column for f in others]
        rows = [(*row, *filler) for row in rows] if filler else rows
        table = model._meta.db_table
        if vendor == "sqlite":
            raw.executemany(f"INSERT INTO {table} ({', '.join(names_)}) VALUES ({', '.join('?' * len(names_))})", rows)
        else:
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(names_)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    with transaction.atomic():
        insert(Org, ORG_COLS, org_rows(orgs, counts))
        stream = people_rows(assignment, args.seed, ts)
        while chunk := list(islice(stream, CHUNK)):
            insert(Person, PERSON_COLS, [p for p, _ in chunk])
            insert(Membership, MEMBERSHIP_COLS, [m for _, m in chunk])
            print(f"  {chunk[-1][0][0]:>9,} people", end="\r", flush=True)
        print(f"  {len(assignment):>9,} people")
        with connection.cursor() as cur:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Org, Person, Membership]):
                cur.execute(sql)
    t_insert = time.perf_counter()
    # Time a settled database, not one still writing out a bulk load: statistics, visibility map, WAL.
    with connection.cursor() as cur:
        for sql in ("ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)") if vendor == "sqlite" else ("VACUUM (ANALYZE)", "CHECKPOINT"):
            cur.execute(sql)
    t_end = time.perf_counter()
    connection.close()
    big_people = sum(counts[o["id"]] for o in in_big)
    info = {"id": big["id"], "name": big["label"] + "总工会", "orgs": sum(o["path"].startswith(big["path"]) for o in orgs), "people": big_people}
    return info, {"build_insert_s": t_insert - t0, "analyze_s": t_end - t_insert, "total_s": t_end - t0}


def built_province(args: argparse.Namespace) -> dict:
    """The big province of a database built earlier (the first province; its figures from the tree)."""
    from gonghui.orgs import queries
    from gonghui.orgs.models import Org

    org = Org.objects.filter(depth=1).order_by("id").first()
    args.orgs, args.people = Org.objects.count(), queries.subtree_member_total(Org.objects.get(depth=0))
    return {"id": org.pk, "name": org.name, "orgs": queries.subtree_org_count(org), "people": queries.subtree_member_total(org)}


# ---------------------------------------------------------------------------- timing


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def explain(sql: str, vendor: str) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with connection.cursor() as cur:
        cur.execute(prefix + sql)
        return [row[-1] if vendor == "sqlite" else row[0] for row in cur.fetchall()]


def measure(args: argparse.Namespace, vendor: str, province: dict) -> dict[str, dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from gonghui.accounts.models import RoleGrant, User

    user, created = User.objects.get_or_create(username="bench-province-cadre", defaults={"display_name": "省级干部", "password": "!"})
    if created:  # "!" is an unusable password; the client logs in with force_login
        RoleGrant.objects.create(user=user, role=RoleGrant.Role.CADRE, org_id=province["id"], granted_at=timezone.now())
    client = Client()
    client.force_login(user)
    pages = {
        "roll": reverse("people:roll", args=[province["id"]]),
        "tree": reverse("orgs:tree"),
        "detail": reverse("orgs:detail", args=[province["id"]]),
    }
    for page, url in pages.items():
        for _ in range(args.warmup):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        if page == "roll":  # a full first page: 50 members of the province
            assert response.content.count(b'href="/people/') == 50, "the roll's first page is not full"
    timings: dict[str, list[float]] = {page: [] for page in pages}
    gc.collect()
    load_before = os.getloadavg()[0]
    for _ in range(args.requests):  # pages interleaved, so a hiccup of the machine hits them alike
        for page, url in pages.items():
            start = time.perf_counter()
            client.get(url)
            timings[page].append((time.perf_counter() - start) * 1000)
    results: dict = {"load_avg_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)], "cpus": os.cpu_count()}
    for page, url in pages.items():
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        results[page] = {
            "url": url,
            "p50_ms": round(percentile(timings[page], 0.50), 1),
            "p95_ms": round(percentile(timings[page], 0.95), 1),
            "max_ms": round(max(timings[page]), 1),
            "queries": len(ctx.captured_queries),
            "sql_ms": round(sum(float(q["time"]) for q in ctx.captured_queries) * 1000, 1),
        }
        if args.explain:
            print(f"\n--- {page} {url}: {len(ctx.captured_queries)} queries")
            for q in ctx.captured_queries:
                print(f"[{float(q['time']) * 1000:.2f} ms] {q['sql']}")
                if q["sql"].lstrip().upper().startswith("SELECT"):
                    print("    " + "\n    ".join(explain(q["sql"], vendor)))
    return results


# ---------------------------------------------------------------------------- driver


def run_one(args: argparse.Namespace) -> None:
    prepare_database(args.db, reuse=args.reuse)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    vendor = connection.vendor
    print(f"== {vendor}: {args.orgs:,} orgs, {args.people:,} people")
    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    migrate_s = time.perf_counter() - t0
    if args.reuse:
        province, gen = built_province(args), {}
        print(f"reusing the database built before: {args.orgs:,} orgs, {args.people:,} people")
    else:
        province, gen = generate(args, vendor)
        settle = "ANALYZE, checkpoint" if vendor == "sqlite" else "VACUUM ANALYZE, CHECKPOINT"
        print(f"generated in {gen['total_s']:.1f} s (rows built and inserted {gen['build_insert_s']:.1f} s, {settle} {gen['analyze_s']:.1f} s)")
    print(f"cadre scope: {province['name']} (id {province['id']}): {province['orgs']:,} orgs, {province['people']:,} people")
    pages = measure(args, vendor, province)
    with connection.cursor() as cur:
        cur.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        version = cur.fetchone()[0]
    print(f"\n{'page':<8} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}  p95 < {TARGET_MS:.0f} ms")
    load = pages.pop("load_avg_1min")
    print(f"(load average before/after timing: {load[0]} / {load[1]} on {pages.pop('cpus')} CPUs; other work on the machine skews the tail)")
    for page, r in pages.items():
        verdict = ("PASS" if r["p95_ms"] < TARGET_MS else "FAIL") if page != "detail" else "(info)"
        print(f"{page:<8} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} {r['queries']:>8}  {verdict}  (SQL {r['sql_ms']} ms)   {r['url']}")
    report = {"db": vendor, "version": version, "orgs": args.orgs, "people": args.people, "requests": args.requests, "province": province}
    report |= {"generation": {k: round(v, 1) for k, v in gen.items()}, "migrate_s": round(migrate_s, 1), "load_avg_1min": load, "pages": pages}
    report["date"] = dt.datetime.now(dt.UTC).date().isoformat()
    (OUT / f"orgs-{vendor}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))


def main() -> None:
    args = parse_args()
    if args.db != "both":
        run_one(args)
        return
    # Django is set up once per process: one subprocess per database.
    failed = False
    for db in ("sqlite", "postgresql"):
        argv = sys.argv[1:]
        if "--db" in argv:
            del argv[argv.index("--db") : argv.index("--db") + 2]
        argv = [a for a in argv if not a.startswith("--db=")]
        failed |= subprocess.run([sys.executable, __file__, *argv, "--db", db], check=False).returncode != 0
        print()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
