"""bench/import: importing a member roll, against the peer and against the limit.

    .venv/bin/python bench/import.py                      # 100,000 rows, SQLite then PostgreSQL
    .venv/bin/python bench/import.py --rows 20000 --db sqlite --peer-rows 5000

For each database, three contenders each run in their own process on a fresh database:
  gonghui  Gonghui's import: upload guard + preview (validate, encrypt, stage) + apply (one
           set-based transaction: people, memberships, events, member counts, audit rows);
  peer     django-import-export 4 (bench-only dependency, requirements/bench.txt) in bulk mode,
           importing the same file into the same Person model (ID parsed and encrypted in
           before_import_row, so the work per row is comparable; it writes no memberships,
           events or audit rows, so it does less than Gonghui);
  limit    python-calamine parse + raw executemany (SQLite) / COPY (PostgreSQL) of the same rows
           into the same table, no validation, no encryption.
Prints rows/s, peak RSS, and the ratios Gonghui/peer and Gonghui/limit; writes bench/out/import.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgresql://postgres@127.0.0.1:5432/gonghui_bench_import"
UNITS = 20
# Columns the peer's resource computes per row (ID parsed and encrypted, org resolved).
COMPUTED = (
    "id_cipher",
    "id_bidx",
    "id_head",
    "id_tail",
    "sex",
    "birth_date",
    "phone_cipher",
    "phone_bidx",
    "phone_masked",
    "ethnicity",
    "org",
    "org_path",
)


def setup_django(db: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
    os.environ["GONGHUI_TESTING"] = "0"
    if db == "postgresql":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute("DROP DATABASE IF EXISTS gonghui_bench_import WITH (FORCE)")
            c.execute("CREATE DATABASE gonghui_bench_import")
        os.environ["DATABASE_URL"] = PG_URL
    else:
        path = OUT / "import.sqlite3"
        for p in OUT.glob("import.sqlite3*"):
            p.unlink()
        os.environ["SQLITE_PATH"] = str(path)
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_orgs():  # type: ignore[no-untyped-def]
    from gonghui.accounts.models import RoleGrant, User
    from gonghui.orgs import services
    from gonghui.orgs.models import Org

    def org(parent, name, level, code):  # type: ignore[no-untyped-def]
        data = {"name": name, "level": level, "org_type": "federation" if level != "grassroots" else "single", "region_code": "340181", "code": code}
        return services.org_create(actor=None, parent=parent, data=data)

    root = org(None, "安徽省总工会", Org.Level.PROVINCE, "BENCH-ROOT")
    for i in range(UNITS):
        org(root, f"测试单位{i}工会", Org.Level.GRASSROOTS, f"BENCH-{i:03d}")
    from django.utils import timezone

    user = User.objects.create(username="bench_importer")
    RoleGrant.objects.create(user=user, role="fed_admin", org=root, granted_at=timezone.now())
    return user, root


def run_gonghui(path: Path) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.imports import services

    user, root = make_orgs()
    t0 = time.perf_counter()
    job = services.job_create(actor=user, org=root, kind="people", upload=SimpleUploadedFile(path.name, path.read_bytes()))
    job = services.job_preview(job_id=job.pk)
    t1 = time.perf_counter()
    assert job.status == "valid", (job.status, job.message, job.errors[:3])
    services.job_request_apply(actor=user, job=job)
    job = services.job_apply(job_id=job.pk)
    t2 = time.perf_counter()
    assert job.status == "applied", (job.status, job.message)
    return {
        "rows": job.counts["created"],
        "seconds": t2 - t0,
        "preview_s": t1 - t0,
        "apply_s": t2 - t1,
        "merge_steps": job.timings.get("merge_steps"),
    }


def run_peer(path: Path, rows: int) -> dict:
    import tablib
    from import_export import fields, resources

    from gonghui.lib import crypto, idcard
    from gonghui.lib.masking import mask_phone
    from gonghui.orgs.models import Org
    from gonghui.people.models import Person
    from gonghui.people.services import id_bidx, phone_bidx

    make_orgs()
    orgs = {o.code: o for o in Org.objects.all()}

    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名")

        class Meta:
            model = Person
            import_id_fields = ("id_bidx",)
            fields = ("name", *COMPUTED)
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            use_transactions = True

        def before_import_row(self, row, **kwargs):  # type: ignore[no-untyped-def]
            info = idcard.parse(str(row["身份证号"]))
            phone = idcard.normalize_mobile(str(row["手机号"]))
            org = orgs[row["所在工会编码"]]
            row.update(
                {
                    "id_cipher": crypto.encrypt(info.number, aad=b"person.id"),
                    "id_bidx": id_bidx(info.number),
                    "id_head": info.number[:3],
                    "id_tail": info.number[-4:],
                    "sex": info.sex,
                    "birth_date": info.birth_date.isoformat(),
                    "phone_cipher": crypto.encrypt(phone, aad=b"person.phone"),
                    "phone_bidx": phone_bidx(phone),
                    "phone_masked": mask_phone(phone),
                    "ethnicity": row["民族"],
                    "org": org.pk,
                    "org_path": org.path,
                }
            )

    t0 = time.perf_counter()
    with path.open("rb") as f:
        dataset = tablib.Dataset().load(f.read(), format="xlsx")
    if rows < len(dataset):
        dataset = tablib.Dataset(*dataset[:rows], headers=dataset.headers)
    for header in COMPUTED:
        if header not in dataset.headers:
            dataset.append_col([""] * len(dataset), header=header)
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - t0
    assert not result.has_errors()
    return {"rows": Person.objects.count(), "seconds": seconds}


def run_limit(path: Path) -> dict:
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    from gonghui.orgs.models import Org

    make_orgs()
    orgs = {o.code: (o.pk, o.path) for o in Org.objects.all()}
    from gonghui.people.imports import PERSON_COLS

    cols = ", ".join([*PERSON_COLS, "created_at", "updated_at"])  # the merge's own column order
    t0 = time.perf_counter()
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("会员名册").to_python()
    now = "2026-11-26 00:00:00+00"
    values = []
    for r in sheet[1:]:
        org_id, org_path = orgs[r[3]]
        number = str(r[1])
        values.append(
            (
                r[0],
                number,
                number,
                number[:3],
                number[-4:],
                "M",
                "1980-01-01",
                r[2],
                r[2],
                r[2],
                r[7],
                r[8],
                r[9],
                r[10],
                r[11],
                r[12],
                r[13],
                r[14] == "是",
                org_id,
                org_path,
                now,
                now,
            )
        )
    with transaction.atomic(), connection.cursor() as c:
        if connection.vendor == "postgresql":
            with c.cursor.copy(f"COPY people_person ({cols}) FROM STDIN") as copy:
                for v in values:
                    copy.write_row(v)
        else:
            c.executemany(f"INSERT INTO people_person ({cols}) VALUES ({', '.join(['%s'] * (len(PERSON_COLS) + 2))})", values)
    return {"rows": len(values), "seconds": time.perf_counter() - t0}


def worker(args: argparse.Namespace) -> None:
    setup_django(args.db)
    path = Path(args.file)
    result = {"gonghui": lambda: run_gonghui(path), "peer": lambda: run_peer(path, args.peer_rows), "limit": lambda: run_limit(path)}[args.worker]()
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--peer-rows", type=int, default=0, help="rows the peer imports (default: all; it is slow)")
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--worker", choices=["gonghui", "peer", "limit"])
    ap.add_argument("--file")
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"roll-{args.rows}.xlsx"
    if not path.exists():
        sys.path.insert(0, str(ROOT))
        os.environ["DJANGO_SETTINGS_MODULE"] = "gonghui.settings"
        import django

        django.setup()
        from bench._roll import write_roll

        t = time.perf_counter()
        write_roll(path, args.rows, org_codes=[f"BENCH-{i:03d}" for i in range(UNITS)])
        print(f"wrote {path.name} ({args.rows:,} rows, 15 columns) in {time.perf_counter() - t:.1f} s")
    peer_rows = args.peer_rows or args.rows
    report: dict = {"rows": args.rows, "peer_rows": peer_rows, "date": time.strftime("%Y-%m-%d"), "results": {}}
    for db in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        figures = {}
        for who in ("gonghui", "peer", "limit"):
            cmd = [sys.executable, __file__, "--worker", who, "--db", db, "--file", str(path), "--peer-rows", str(peer_rows)]
            out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(out.stdout[-2000:], out.stderr[-4000:])
                raise SystemExit(f"{who} on {db} failed")
            r = json.loads(line[7:])
            r["rows_per_s"] = r["rows"] / r["seconds"]
            figures[who] = r
            print(f"{db:10} {who:8} {r['rows']:>9,} rows {r['seconds']:8.2f} s {r['rows_per_s']:>9,.0f} rows/s  peak {r['peak_rss_mb']:6.0f} MB")
        g = figures["gonghui"]["rows_per_s"]
        figures["ratio_to_peer"] = g / figures["peer"]["rows_per_s"]
        figures["ratio_to_limit"] = g / figures["limit"]["rows_per_s"]
        print(
            f"{db:10} Gonghui/peer {figures['ratio_to_peer']:.1f}×   Gonghui/limit {figures['ratio_to_limit']:.2f}×   merge steps {figures['gonghui'].get('merge_steps')}"
        )
        report["results"][db] = figures
    (OUT / "import.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
