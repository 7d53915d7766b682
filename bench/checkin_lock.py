"""bench/checkin_lock: how long one check-in holds SQLite's write lock, in one process.

    .venv/bin/python bench/checkin_lock.py              # 3,000 check-ins after 300 untimed
    .venv/bin/python bench/checkin_lock.py --count 1000

The same database and requests as bench/checkin.py (its ``setup``), but no server: each request
goes through Django's WSGI handler in this process, and the writer lock of ``gonghui.lib.sqlite``
is timed from taken to released. Under load a second worker waits on exactly this, so it is the
part of a check-in that does not run in parallel. Also prints the CPU and wall time per request.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=3000)
    p.add_argument("--warmup", type=int, default=300)
    args = p.parse_args()
    from bench import checkin as bench

    data = bench.setup(argparse.Namespace(people=1000, sessions=120))  # also sets Django up
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections

    from gonghui.lib.sqlite import base

    connections.close_all()  # a fresh connection, as a server worker starts with
    holds: list[float] = []
    acquire, release = base._WriterLock.acquire, base._WriterLock.release

    def timed_acquire(lock: base._WriterLock) -> None:
        acquire(lock)
        lock._taken = time.perf_counter()  # type: ignore[attr-defined]

    def timed_release(lock: base._WriterLock) -> None:
        if lock.held:
            holds.append(time.perf_counter() - lock._taken)  # type: ignore[attr-defined]
        release(lock)

    base._WriterLock.acquire, base._WriterLock.release = timed_acquire, timed_release  # type: ignore[method-assign]
    app = WSGIHandler()
    csrf = secrets.token_hex(16)
    pairs = itertools.product(data["sessions"], range(len(data["codes"])))

    def request() -> dict:
        session, person = next(pairs)
        body = json.dumps({"scans": [{"code": data["codes"][person], "nonce": str(uuid.uuid4())}]}).encode()
        return {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": f"/sessions/{session}/checkins/sync/",
            "QUERY_STRING": "",
            "SERVER_NAME": bench.HOST,
            "SERVER_PORT": "8000",
            "HTTP_HOST": bench.HOST,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": bench.HOST,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json",
            "HTTP_X_CSRFTOKEN": csrf,
            "HTTP_COOKIE": f"sessionid={data['cookie']}; csrftoken={csrf}",
        }

    def call(environ: dict) -> None:
        status: list[str] = []
        body = b"".join(app(environ, lambda s, h, e=None: status.append(s)))
        if not status[0].startswith("200") or b'"created"' not in body:
            raise SystemExit(f"check-in failed: {status[0]} {body[:200]!r}")

    for _ in range(args.warmup):
        call(request())
    holds.clear()
    environs = [request() for _ in range(args.count)]
    cpu, wall = time.process_time(), time.perf_counter()
    for environ in environs:
        call(environ)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    holds.sort()
    q = statistics.quantiles(holds, n=100, method="inclusive")
    print(
        json.dumps(
            {
                "checkins": args.count,
                "lock_holds": len(holds),
                "hold_p50_ms": round(q[49] * 1000, 3),
                "hold_mean_ms": round(statistics.mean(holds) * 1000, 3),
                "hold_p99_ms": round(q[98] * 1000, 3),
                "request_cpu_ms": round(cpu / args.count * 1000, 3),
                "request_wall_ms": round(wall / args.count * 1000, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
