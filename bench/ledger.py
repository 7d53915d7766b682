"""bench/ledger — approvals/s with 16 concurrent approvers on one budget envelope (issue #5).

    .venv/bin/python bench/ledger.py --db sqlite
    .venv/bin/python bench/ledger.py --db postgresql
    .venv/bin/python bench/ledger.py --db sqlite --applications 400 --mode thread   # quick check

A fresh database (SQLite file bench/out/ledger.sqlite3 with the app's settings: WAL,
``synchronous=FULL``, IMMEDIATE transactions, busy_timeout 20 s; or the PostgreSQL database
``gonghui_bench_ledger``) is migrated and gets a small tree (national → province → city →
union), one programme, one envelope at the city and ``--applications`` pending applications from
the union, each for ¥1,000 to a distinct subject (below every threshold: a one-step chain at the
envelope's org, so one approval completes it). The envelope is funded for all but
``--over-budget`` of them, so the last approvals to reach it are refused.

Timed phases, each with ``--approvers`` workers (processes by default, like app-server workers;
``--mode thread`` for threads in one process), each with its own database connection and, in the
ledger phase, its own approver user (an admin of the city who made none of the applications).
All start at a barrier and claim the next application from a shared counter until none is left
(or ``--seconds`` have passed):

1. ledger: load the application and call ``services.application_approve`` (maker-checker and
   policy checks, the step's conditional UPDATE, ``ledger.post``: transaction + 2 entries + the
   envelope's guarded UPDATE, the status transition, event and audit rows, one transaction);
2. baseline: one transaction with one guarded conditional UPDATE of a one-row budget table
   (``remaining >= amount``) and one INSERT — the floor of any budget-checked posting;
   ``--baseline-factor`` times as many attempts (its budget short by ``--over-budget`` too), so
   that the phase lasts long enough to measure.

Printed per phase: attempts/s and approvals/s (commits), p50/p99 latency of the attempts,
refused count; then the ratio ledger/baseline. Afterwards the ledger is proven: ``check_ledger``
(every transaction sums to zero) and ``reconcile_envelopes`` (running totals equal the ledger),
and the exact counts (approved = funded-for, refused = over budget, committed = approvals ×
amount). Figures go to bench/out/ledger-<db>.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import multiprocessing
import os
import statistics
import threading
import time
from collections import Counter
from typing import Any

import _db

ROOT, OUT = _db.ROOT, _db.OUT
SQLITE_PATH = OUT / "ledger.sqlite3"
AMOUNT = 100_000  # ¥1,000 in fen


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", choices=("sqlite", "postgres", "postgresql"), default="sqlite")
    p.add_argument("--approvers", type=int, default=16)
    p.add_argument("--applications", type=int, default=1500, help="pending applications, one approval each")
    p.add_argument("--over-budget", type=int, default=50, help="how many of them the envelope cannot afford")
    p.add_argument("--baseline-factor", type=int, default=20, help="the baseline tries this many times as many postings (it is that much faster)")
    p.add_argument("--mode", choices=("process", "thread"), default="process")
    p.add_argument("--seconds", type=float, default=120.0, help="stop claiming after this long (a cap; normally every application is tried)")
    return p.parse_args()


def prepare(db: str, *, fresh: bool = True) -> None:
    _db.prepare(db, sqlite_path=SQLITE_PATH, pg_name="gonghui_bench_ledger", fresh=fresh, extra_env={"DJANGO_DEBUG": "0"})


def setup(args: argparse.Namespace) -> dict[str, Any]:
    """Tree, users, envelope, pending applications and the baseline's tables; returns their ids."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from gonghui.accounts.models import RoleGrant, User
    from gonghui.money import services
    from gonghui.money.models import ApprovalStep, Programme
    from gonghui.orgs import services as org_services

    call_command("migrate", "--no-input", verbosity=0)
    t0 = time.monotonic()

    def org(parent, name, level, org_type="federation"):  # type: ignore[no-untyped-def]
        return org_services.org_create(actor=None, parent=parent, data={"name": name, "level": level, "org_type": org_type, "region_code": "340100"})

    root = org(None, "中华全国总工会", "national")
    city = org(org(root, "安徽省总工会", "province"), "合肥市总工会", "prefecture")
    unit = org(city, "合肥甲公司工会", "grassroots", "single")
    now = timezone.now()

    def user(name: str, role: str) -> User:
        u = User.objects.create(username=name)
        RoleGrant.objects.create(user=u, role=role, org=city, granted_at=now)
        return u

    admin, cadre = user("bench_admin", "org_admin"), user("bench_cadre", "cadre")
    approvers = [user(f"bench_approver{i}", "org_admin").pk for i in range(args.approvers)]
    programme = Programme.objects.create(code="bench", name="压测救助")
    env = services.envelope_create(actor=admin, programme=programme, org=city, year=2026)
    affordable = args.applications - args.over_budget
    services.envelope_fund(actor=admin, envelope=env, amount=affordable * AMOUNT)
    apps: list[int] = []
    for start in range(0, args.applications, 500):
        with transaction.atomic():
            apps += [
                services.application_submit(actor=cadre, org=unit, envelope=env, subject_kind="hardship.file", subject_id=i + 1, amount=AMOUNT).pk
                for i in range(start, min(start + 500, args.applications))
            ]
    one_step = ApprovalStep.objects.filter(application_id__in=apps).values("application_id").distinct().count()
    assert one_step == ApprovalStep.objects.filter(application_id__in=apps).count() == len(apps), "each application must need one approval"
    base_n = args.applications * args.baseline_factor
    ident = "INTEGER PRIMARY KEY AUTOINCREMENT" if connection.vendor == "sqlite" else "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    with connection.cursor() as c:
        c.execute("CREATE TABLE bench_budget (id BIGINT PRIMARY KEY, remaining BIGINT NOT NULL CHECK (remaining >= 0))")
        c.execute(f"CREATE TABLE bench_posting (id {ident}, budget_id BIGINT NOT NULL, amount BIGINT NOT NULL, at TIMESTAMP NOT NULL)")
        c.execute("INSERT INTO bench_budget VALUES (1, %s)", [(base_n - args.over_budget) * AMOUNT])
        if connection.vendor == "sqlite":
            c.execute("ANALYZE")
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if connection.vendor == "postgresql":
        raw = connection.connection
        raw.autocommit = True
        with raw.cursor() as c:
            c.execute("VACUUM (ANALYZE)")
            c.execute("CHECKPOINT")
        raw.autocommit = False
    print(f"setup: {len(apps)} pending applications, envelope funded for {affordable}, in {time.monotonic() - t0:.1f} s", flush=True)
    return {
        "apps": apps,
        "approvers": approvers,
        "envelope": env.pk,
        "affordable": affordable,
        "baseline_n": base_n,
        "baseline_affordable": base_n - args.over_budget,
    }


# ---- one attempt per phase: returns "ok", a refusal code, or raises -------------------------


def approve(app_id: int, approver: Any) -> str:
    from gonghui.lib.errors import ServiceError
    from gonghui.money import services
    from gonghui.money.models import Application

    approver.__dict__.pop("_gonghui_grants", None)  # each request reads the user's grants afresh
    try:
        services.application_approve(actor=approver, application=Application.objects.get(pk=app_id))
    except ServiceError as e:
        return e.code
    return "ok"


def baseline(_app_id: int, _approver: Any) -> str:
    from django.db import connection, transaction
    from django.utils import timezone

    with transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE bench_budget SET remaining = remaining - %s WHERE id = 1 AND remaining >= %s", [AMOUNT, AMOUNT])
        if c.rowcount != 1:
            return "overspent"
        c.execute("INSERT INTO bench_posting (budget_id, amount, at) VALUES (1, %s, %s)", [AMOUNT, timezone.now()])
    return "ok"


PHASES = {"ledger": approve, "baseline": baseline}


def worker(phase: str, index: int, data: dict[str, Any], claim, barrier, deadline_s: float, results) -> None:  # type: ignore[no-untyped-def]
    """Claim applications until none is left; put (start, end, latencies, outcomes, errors) on ``results``."""
    from django.db import connections

    from gonghui.accounts.models import User

    attempt = PHASES[phase]
    items = data["apps"] if phase == "ledger" else range(data["baseline_n"])
    approver = User.objects.get(pk=data["approvers"][index % len(data["approvers"])])
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    barrier.wait()
    start = time.perf_counter()
    while time.perf_counter() - start < deadline_s:
        i = claim()
        if i >= len(items):
            break
        t = time.perf_counter()
        try:
            outcomes[attempt(items[i], approver)] += 1
        except Exception as e:  # counted and shown; the run then fails its checks
            errors.append(repr(e)[:300])
        latencies.append(time.perf_counter() - t)
    end = time.perf_counter()
    connections.close_all()
    results.put((start, end, latencies, dict(outcomes), errors))


def run_phase(phase: str, data: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connections

    connections.close_all()  # children and threads open their own
    n = args.approvers
    if args.mode == "process":
        ctx = multiprocessing.get_context("fork")
        counter = ctx.Value("q", 0)

        def claim() -> int:
            with counter.get_lock():
                counter.value += 1
                return counter.value - 1

        barrier, results = ctx.Barrier(n), ctx.Queue()
        workers: list[Any] = [ctx.Process(target=worker, args=(phase, i, data, claim, barrier, args.seconds, results)) for i in range(n)]
    else:
        import queue

        numbers, lock = itertools.count(), threading.Lock()

        def claim() -> int:
            with lock:
                return next(numbers)

        barrier, results = threading.Barrier(n), queue.Queue()
        workers = [threading.Thread(target=worker, args=(phase, i, data, claim, barrier, args.seconds, results)) for i in range(n)]
    load_before = os.getloadavg()
    for w in workers:
        w.start()
    parts = [results.get(timeout=args.seconds + 600) for _ in workers]
    for w in workers:
        w.join()
    start, end = min(p[0] for p in parts), max(p[1] for p in parts)
    latencies = sorted(x for p in parts for x in p[2])
    outcomes: Counter[str] = Counter()
    for p in parts:
        outcomes.update(p[3])
    errors = [e for p in parts for e in p[4]]
    elapsed = end - start
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "attempts": len(latencies),
        "approved": outcomes.get("ok", 0),
        "refused": {k: v for k, v in outcomes.items() if k != "ok"},
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(elapsed, 2),
        "attempts_per_s": round(len(latencies) / elapsed, 1),
        "approvals_per_s": round(outcomes.get("ok", 0) / elapsed, 1),
        "p50_ms": round(q[49] * 1000, 1),
        "p99_ms": round(q[98] * 1000, 1),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def verify(data: dict[str, Any], ledger: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The ledger balances, the running totals equal it, and the counts are exact."""
    from django.core.management import call_command
    from django.db import connection

    from gonghui.money.models import Application, Envelope, LedgerTransaction

    call_command("check_ledger")  # raises CommandError on any unbalanced transaction
    call_command("reconcile_envelopes")  # raises CommandError on any difference
    env = Envelope.objects.get(pk=data["envelope"])
    approved = ledger["approved"]
    tried_all = ledger["attempts"] == len(data["apps"])
    with connection.cursor() as c:
        c.execute("SELECT remaining FROM bench_budget WHERE id = 1")
        base_remaining = c.fetchone()[0]
        c.execute("SELECT COUNT(*) FROM bench_posting")
        base_rows = c.fetchone()[0]
    checks = {
        "no errors": ledger["errors"] == base["errors"] == 0,
        "approved applications = approvals": Application.objects.filter(status="approved").count() == approved,
        "approval postings = approvals": LedgerTransaction.objects.filter(kind="approval").count() == approved,
        "committed = approvals × amount": (env.committed, env.remaining) == (approved * AMOUNT, env.funded - approved * AMOUNT),
        "refusals are over budget only": set(ledger["refused"]) <= {"overspent"},
        "exactly the affordable ones approved": not tried_all or (approved, ledger["refused"].get("overspent", 0)) == (data["affordable"], len(data["apps"]) - data["affordable"]),
        "baseline: postings = commits, budget agrees": base_rows == base["approved"] and base_remaining == (data["baseline_affordable"] - base["approved"]) * AMOUNT,
        "baseline: exactly the affordable ones posted": base["attempts"] != data["baseline_n"] or base["approved"] == data["baseline_affordable"],
    }  # fmt: skip
    failed = [k for k, ok in checks.items() if not ok]
    if failed:
        raise SystemExit(f"verification failed: {failed}")
    return checks


def main() -> None:
    args = parse_args()
    args.db = "postgresql" if args.db == "postgres" else args.db
    prepare(args.db)
    import django

    django.setup()
    data = setup(args)
    print(f"{args.approvers} approvers ({args.mode} mode), {args.db}", flush=True)
    results = {}
    for phase in ("ledger", "baseline"):
        results[phase] = run_phase(phase, data, args)
        print(f"{phase:<9} {json.dumps(results[phase], ensure_ascii=False)}", flush=True)
    checks = verify(data, results["ledger"], results["baseline"])
    print("verified: " + "; ".join(checks))
    summary = {
        "db": args.db,
        "mode": args.mode,
        "approvers": args.approvers,
        "approvals_per_s": results["ledger"]["approvals_per_s"],
        "baseline_commits_per_s": results["baseline"]["approvals_per_s"],
        "ratio_attempts_ledger_to_baseline": round(results["ledger"]["attempts_per_s"] / results["baseline"]["attempts_per_s"], 3),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(summary, ensure_ascii=False))
    (OUT / f"ledger-{args.db}.json").write_text(json.dumps({"args": vars(args), "phases": results, "summary": summary}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
