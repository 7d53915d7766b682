"""bench/fsync: the disk's commit latency, as a check-in's commit meets it.

    .venv/bin/python bench/fsync.py              # 10,000 writes of 68 KB, each followed by fsync
    .venv/bin/python bench/fsync.py --count 2000 --kb 20

A check-in's commit appends about 17 pages of 4 KB (68 KB, plus 24 bytes a page of frame header)
to SQLite's WAL and, with ``synchronous=FULL``, waits for ``fsync``; the WAL starts over from its
beginning after each checkpoint (1,000 pages: about 60 check-ins). This writes the same amount
to a file in ``bench/out`` (the bench database's file system), over a region of 60 writes, and
prints the fsync latency quantiles: the disk's share of bench/checkin's tail.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--count", type=int, default=10_000, help="at least 2")
    p.add_argument("--kb", type=int, default=68)
    args = p.parse_args()
    if args.count < 2:
        p.error("--count must be at least 2")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "fsync.test"
    block = os.urandom(args.kb * 1024)
    seconds: list[float] = []
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        for i in range(args.count):
            os.pwrite(fd, block, (i % 60) * len(block))
            t = time.perf_counter()
            os.fsync(fd)
            seconds.append(time.perf_counter() - t)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    seconds.sort()
    q = statistics.quantiles(seconds, n=1000, method="inclusive")
    result = {
        "count": args.count,
        "kb": args.kb,
        "mean_ms": round(statistics.mean(seconds) * 1000, 3),
        "p50_ms": round(q[499] * 1000, 3),
        "p99_ms": round(q[989] * 1000, 3),
        "p999_ms": round(q[998] * 1000, 2),
        "max_ms": round(seconds[-1] * 1000, 1),
        "over_10ms": sum(s > 0.010 for s in seconds),
        "over_100ms": sum(s > 0.100 for s in seconds),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
