"""Print the counts of a pytest JUnit XML report: 'name: N passed, N failed, N skipped'."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def counts(path: str) -> tuple[int, int, int]:
    root = ET.parse(path).getroot()  # noqa: S314
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return tests - failed - skipped, failed, skipped


if __name__ == "__main__":
    if sys.argv[1] == "--total":
        p = f = s = 0
        for path in sys.argv[2:]:
            a, b, c = counts(path)
            p, f, s = p + a, f + b, s + c
        print(f"total: {p} passed, {f} failed, {s} skipped")
    else:
        p, f, s = counts(sys.argv[2])
        print(f"{sys.argv[1]}: {p} passed, {f} failed, {s} skipped")
