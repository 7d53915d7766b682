"""bench/checkin: check-in throughput over HTTP, against a one-read-one-insert view and a bare view.

    .venv/bin/python bench/checkin.py               # 60 s per phase (about 4 minutes in all)
    .venv/bin/python bench/checkin.py --seconds 10  # quick check

A fresh SQLite database (bench/out/checkin.sqlite3) gets one city union, an ongoing activity with
``--sessions`` sessions and ``--people`` members with member codes; a cadre's logged-in session
cookie is made in-process. gunicorn (2 sync workers, settings bench/_checkin_settings.py, URLconf bench/_checkin_baseline.py) serves
it on 127.0.0.1, and 16 client threads (http.client, a new connection per request, as gunicorn's
sync workers close them) run ``--warmup`` seconds untimed (check-ins and bare requests, so both
workers have imported and connected), then four timed phases of ``--seconds`` each, driven by
wrk (``--client wrk``, the default when installed: bench/_checkin_wrk.lua sends requests written
ahead to a file) or by 16 Python threads (``--client python``):

1. distinct: each request checks in one new (session, person) pair through the real path, the
   scanner's sync endpoint ``checkin:sync`` (session cookie + CSRF header, JSON ``{scans: [one]}``;
   policy check, member-code signature, the service, its audit row);
2. mixed: the same with 30 % repeats: half re-send an earlier scan with its own nonce (a retry
   after a lost answer), half scan an already checked-in person again with a new nonce;
3. ``/bench/read-insert/``: one indexed read and one insert (the floor of any check-in);
4. ``/bench/json/``: a bare Django JSON view.

Printed: requests/s, p50/p99 latency, and the ratios of phase 1 to phases 3 and 4; duplicates
created = check-in rows beyond the distinct pairs scanned (must be 0). Figures go to
bench/out/checkin.json.

The tail is also described: p99.9, the slowest request and, with ``--client python`` (which
times every request itself), how many requests took over 50 ms and
how many of those fell in a 100 ms window where at least half the clients were slow at once
(``in_stalls``): a stall of the whole server — a commit's fsync that the disk holds for tens or
hundreds of ms keeps SQLite's single write lock, so both workers and every queued request wait —
rather than one slow request.
"""

from __future__ import annotations

import argparse
import bisect
import http.client
import itertools
import json
import os
import random
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DB = OUT / "checkin.sqlite3"
HOST = "127.0.0.1"


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=60.0, help="length of each timed phase")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--people", type=int, default=1000)
    p.add_argument("--sessions", type=int, default=200, help="people × sessions = distinct check-ins available")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--warmup", type=float, default=3.0, help="untimed seconds of check-ins and bare requests first")
    p.add_argument(
        "--client",
        choices=("wrk", "python"),
        default="wrk" if shutil.which("wrk") else "python",
        help="load generator: wrk (default when installed; costs the 2 cores little) or 16 Python threads (slower, but times every request and counts stalls)",
    )
    return p.parse_args()


def setup(args: argparse.Namespace) -> dict:
    """Fresh database, the activity and people, a cadre's session cookie (in this process)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)
    os.environ.update({"SQLITE_PATH": str(DB), "DJANGO_SETTINGS_MODULE": "gonghui.settings", "DJANGO_DEBUG": "0"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from gonghui.accounts.models import RoleGrant, User
    from gonghui.activities import codes
    from gonghui.activities.models import Activity, ActivityAudience, ActivityType, Session
    from gonghui.lib.idcard import make_id
    from gonghui.orgs import services as org_services
    from gonghui.people import services as people_services

    call_command("migrate", "--no-input", verbosity=0)
    t0 = time.monotonic()

    def org(parent, name, level, org_type):  # type: ignore[no-untyped-def]
        return org_services.org_create(actor=None, parent=parent, data={"name": name, "level": level, "org_type": org_type, "region_code": "340100"})

    root = org(None, "全国总工会", "national", "federation")
    city = org(root, "合肥市总工会", "prefecture", "federation")
    unit = org(city, "合肥甲公司工会", "grassroots", "single")
    with transaction.atomic():
        people = [
            people_services.person_register(
                actor=None,
                org=unit,
                data={"name": f"职工{i}", "id_number": make_id("340100", dt.date(1970, 1, 1) + dt.timedelta(days=i), i % 100), "phone": ""},
            )
            for i in range(args.people)
        ]
    now = timezone.now()
    activity = Activity.objects.create(
        title="签到压测",
        activity_type=ActivityType.objects.get(code="lecture"),
        organizer=city,
        organizer_path=city.path,
        status="ongoing",
        created_at=now,
        updated_at=now,
    )
    ActivityAudience.objects.create(activity=activity, org=city, org_path=city.path)
    sessions = [
        Session.objects.create(
            activity=activity,
            title=f"第{i + 1}场",
            starts_at=now,
            ends_at=now + dt.timedelta(hours=2),
            place="职工之家",
            checkin_key=secrets.token_hex(16),
            created_at=now,
        ).pk
        for i in range(args.sessions)
    ]
    cadre = User.objects.create(username="bench_cadre")
    RoleGrant.objects.create(user=cadre, role="cadre", org=city, granted_at=now)
    client = Client()
    client.force_login(cadre)
    print(f"setup: {args.people} people, {args.sessions} sessions in {time.monotonic() - t0:.1f} s", flush=True)
    return {"sessions": sessions, "codes": [codes.member_code(p) for p in people], "cookie": client.cookies["sessionid"].value}


def serve(port: int) -> subprocess.Popen:
    env = dict(os.environ) | {"DJANGO_SETTINGS_MODULE": "bench._checkin_settings", "SQLITE_PATH": str(DB), "DJANGO_DEBUG": "0"}
    env.pop("DATABASE_URL", None)
    log = (OUT / "checkin-gunicorn.log").open("wb")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "gonghui.wsgi", "--bind", f"{HOST}:{port}", "--workers", "2", "--worker-class", "sync"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/bench/json/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn did not start; see {OUT / 'checkin-gunicorn.log'}")


def run_phase(port: int, seconds: float, clients: int, make_request) -> dict:  # type: ignore[no-untyped-def]
    """``make_request(i)`` → (method, path, body, headers, on_response); 16 threads until the deadline."""
    latencies: list[tuple[int, float, float]] = []  # (client, start, seconds)
    errors: list[str] = []
    counter = itertools.count()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(me: int) -> None:
        mine: list[tuple[int, float, float]] = []
        while time.monotonic() < deadline:
            method, path, body, headers, on_response = make_request(next(counter))
            t = time.perf_counter()
            try:
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
            except OSError as e:
                with lock:
                    errors.append(repr(e))
                continue
            mine.append((me, t, time.perf_counter() - t))
            if resp.status != 200:
                with lock:
                    errors.append(f"{resp.status} {data[:200]!r}")
            elif on_response:
                on_response(data)
        with lock:
            latencies.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    return {"per_s": round(len(latencies) / elapsed, 1)} | describe(latencies, clients) | {"errors": len(errors), "first_errors": errors[:3]}


def run_phase_wrk(port: int, seconds: float, clients: int, lines: list[str], auth: tuple[str, str]) -> tuple[dict, list[int]]:
    """One phase driven by wrk (bench/_checkin_wrk.lua): ``lines`` are "METHOD\tPATH\tBODY"
    requests, thread k sending lines k, k+T, ... once each (one line: sent over and over).
    Returns the phase's figures and how many lines each thread sent."""
    threads = 2 if clients % 2 == 0 else 1  # wrk gives each thread clients // threads connections
    requests_file, auth_file = OUT / "checkin-wrk-requests.txt", OUT / "checkin-wrk-auth.txt"
    requests_file.write_text("".join(f"{line}\n" for line in lines))
    auth_file.write_text(f"{auth[0]}\n{auth[1]}\n")
    script = [str(ROOT / "bench" / "_checkin_wrk.lua"), f"http://{HOST}:{port}", "--", str(requests_file), str(auth_file), str(threads)]
    out = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds:g}s", "--timeout", "30s", "-s", *script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    w = json.loads(next(line for line in out.splitlines() if line.startswith('{"wrk"')))["wrk"]
    if w["exhausted"]:
        raise SystemExit(f"wrk ran out of distinct requests ({w['exhausted']} sent twice): raise --sessions or --people")
    statuses = {k: w[k] for k in ("created", "duplicate", "refused") if w[k]}
    figures = {
        "per_s": round(w["requests"] / (w["duration_us"] / 1e6), 1),
        "requests": w["requests"],
        "p50_ms": round(w["p50_us"] / 1000, 1),
        "p99_ms": round(w["p99_us"] / 1000, 1),
        "p999_ms": round(w["p999_us"] / 1000, 1),
        "max_ms": round(w["max_us"] / 1000, 1),
        "errors": w["socket_errors"] + w["other"],  # "other": answers that were not 200
        "first_errors": [],
        "statuses": statuses,
    }
    return figures, w["sent_by_thread"]


def describe(latencies: list[tuple[int, float, float]], clients: int, slow: float = 0.050) -> dict:
    """Latency quantiles, and the slow requests that came in server-wide stalls (see the module
    doc): a slow request whose end lies within 50 ms of slow requests' ends from at least half
    the clients (requests held by one stall finish together when it ends)."""
    seconds = sorted(s for _, _, s in latencies)
    q = statistics.quantiles(seconds, n=1000, method="inclusive") if len(seconds) > 1 else [0.0] * 999
    ends = sorted((start + s, client) for client, start, s in latencies if s > slow)
    times = [e for e, _ in ends]
    stalled = [
        e for e, _ in ends if len({c for _, c in ends[bisect.bisect_left(times, e - 0.05) : bisect.bisect_right(times, e + 0.05)]}) >= clients / 2
    ]
    return {
        "requests": len(seconds),
        "p50_ms": round(q[499] * 1000, 1),
        "p99_ms": round(q[989] * 1000, 1),
        "p999_ms": round(q[998] * 1000, 1),
        "max_ms": round(seconds[-1] * 1000, 1) if seconds else 0.0,
        "over_50ms": len(ends),
        "in_stalls": len(stalled),
        "stalls": sum(1 for a, b in itertools.pairwise([float("-inf"), *stalled]) if b - a > 0.1),
    }


def main() -> None:
    args = parse_args()
    data = setup(args)
    port = args.port or _free_port()
    proc = serve(port)
    csrf = secrets.token_hex(16)  # an unmasked 32-character token, sent as cookie and header
    headers = {"Content-Type": "application/json", "X-CSRFToken": csrf, "Cookie": f"sessionid={data['cookie']}; csrftoken={csrf}", "Host": HOST}
    pairs = itertools.product(data["sessions"], range(len(data["codes"])))
    pairs_lock = threading.Lock()
    sent: list[tuple[int, int, str]] = []  # (session, person index, nonce) of every distinct scan sent
    statuses: dict[str, int] = {}

    def tally(body: bytes) -> None:
        for r in json.loads(body)["results"]:
            with pairs_lock:
                statuses[r["status"]] = statuses.get(r["status"], 0) + 1

    def scan(session: int, person: int, nonce: str):  # type: ignore[no-untyped-def]
        body = json.dumps({"scans": [{"code": data["codes"][person], "nonce": nonce}]})
        return "POST", f"/sessions/{session}/checkins/sync/", body, headers, tally

    def distinct(_i: int):  # type: ignore[no-untyped-def]
        with pairs_lock:
            session, person = next(pairs)
            nonce = str(uuid.uuid4())
            sent.append((session, person, nonce))
        return scan(session, person, nonce)

    rng = random.Random(4)

    def mixed(i: int):  # type: ignore[no-untyped-def]
        roll = rng.random()
        if roll < 0.3 and sent:
            with pairs_lock:
                session, person, nonce = sent[rng.randrange(len(sent))]
            return scan(session, person, nonce if roll < 0.15 else str(uuid.uuid4()))
        return distinct(i)

    session0 = data["sessions"][0]
    results: dict[str, dict] = {}
    try:
        # Warm both workers (imports, URL resolver, first connection) before any timed phase, so
        # the first phase is not charged for what the reference phases get for free.
        warm = run_phase(port, args.warmup, args.clients, lambda i: distinct(i) if i % 2 else ("GET", "/bench/json/", None, {"Host": HOST}, None))
        print(f"{'warm-up':<17} {json.dumps(warm, ensure_ascii=False)} (not counted)", flush=True)
        if args.client == "python":
            for name, maker in (
                ("checkin_distinct", distinct),
                ("checkin_mixed", mixed),
                ("read_insert", lambda i: ("POST", f"/bench/read-insert/?session={session0}", b"", {"Host": HOST}, None)),
                ("bare_json", lambda i: ("GET", "/bench/json/", None, {"Host": HOST}, None)),
            ):
                statuses.clear()
                results[name] = run_phase(port, args.seconds, args.clients, maker) | {"statuses": dict(statuses)}
                print(f"{name:<17} {json.dumps(results[name], ensure_ascii=False)}", flush=True)
        else:
            # The same phases from files of requests written ahead: every distinct pair left, in
            # order; then the rest of them with 30 % repeats (half a retry with the same nonce,
            # half a second scan with a new one).
            def scan_line(session: int, person: int, nonce: str) -> str:
                return f"POST\t/sessions/{session}/checkins/sync/\t" + json.dumps({"scans": [{"code": data["codes"][person], "nonce": nonce}]})

            def scans_phase(name: str, planned: list[tuple[int, int, str, bool]]) -> list[tuple[int, int, str, bool]]:
                """Runs ``planned`` (session, person, nonce, new?) scans; returns those not sent."""
                figures, sent_by_thread = run_phase_wrk(
                    port, args.seconds, args.clients, [scan_line(*x[:3]) for x in planned], (headers["Cookie"], csrf)
                )
                went = {k + j * len(sent_by_thread) for k, n in enumerate(sent_by_thread) for j in range(n)}
                # Every scan that went out, repeats too: a repeat of a scan that itself never went
                # out (the phase ended first) is that pair's first scan.
                sent.extend(x[:3] for i, x in enumerate(planned) if i in went)
                results[name] = figures
                print(f"{name:<17} {json.dumps(figures, ensure_ascii=False)}", flush=True)
                return [x for i, x in enumerate(planned) if i not in went and x[3]]

            with pairs_lock:
                left = scans_phase("checkin_distinct", [(s, p, str(uuid.uuid4()), True) for s, p in pairs])
            # Repeats of any scan before them, this phase's included: those may still be in
            # flight on another connection when the repeat goes, the race a retry can meet.
            earlier = list(sent)
            planned: list[tuple[int, int, str, bool]] = []
            for x in left:
                while rng.random() < 0.3:
                    session, person, nonce = earlier[rng.randrange(len(earlier))]
                    planned.append((session, person, nonce if rng.random() < 0.5 else str(uuid.uuid4()), False))
                planned.append(x)
                earlier.append(x[:3])
            scans_phase("checkin_mixed", planned)
            for name, line in (("read_insert", f"POST\t/bench/read-insert/?session={session0}\t"), ("bare_json", "GET\t/bench/json/\t")):
                results[name], _ = run_phase_wrk(port, args.seconds, args.clients, [line], ("", ""))
                print(f"{name:<17} {json.dumps(results[name], ensure_ascii=False)}", flush=True)
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    import sqlite3

    with sqlite3.connect(DB) as db:
        rows = db.execute("SELECT count(*), count(DISTINCT session_id || '/' || person_id) FROM activities_checkin").fetchone()
    distinct_sent = len({(s, p) for s, p, _ in sent})
    created = results["checkin_distinct"]["statuses"].get("created", 0) + results["checkin_mixed"]["statuses"].get("created", 0)
    summary = {
        "checkins_per_s": results["checkin_distinct"]["per_s"],
        "checkin_rows": rows[0],
        "distinct_pairs_sent": distinct_sent,
        "duplicates_created": rows[0] - rows[1],
        "rows_beyond_pairs_sent": max(rows[0] - distinct_sent, 0),
        "created_answers": created,
        "ratio_to_read_insert": round(results["checkin_distinct"]["per_s"] / results["read_insert"]["per_s"], 2),
        "ratio_to_bare_json": round(results["checkin_distinct"]["per_s"] / results["bare_json"]["per_s"], 2),
        "seconds_per_phase": args.seconds,
        "clients": args.clients,
        "client": args.client,
        "loadavg": os.getloadavg(),
    }
    print(json.dumps(summary, ensure_ascii=False))
    (OUT / "checkin.json").write_text(json.dumps({"phases": results, "summary": summary}, ensure_ascii=False, indent=1))
    # Throughput counts answers: a refused or failed request must not pass for a check-in.
    failed = {name: r["errors"] for name, r in results.items() if r["errors"]}
    if failed or set(results["checkin_distinct"]["statuses"]) != {"created"}:
        raise SystemExit(f"not every request succeeded: errors {failed}, distinct phase answers {results['checkin_distinct']['statuses']}")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


if __name__ == "__main__":
    main()
