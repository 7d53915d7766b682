"""Splitting a staff list into N training batches (pure, no Django).

The rule (issue #4 item 6): no department sends more than ⌈s/N⌉ of its s people to any one batch,
so the rest keep working. The method: line everyone up department by department (departments
and, within one, the given order sorted by key, so the result is deterministic), then deal the
line out round-robin: the person at place i goes to batch i mod N.

Both guarantees follow from the dealing:
- a department is a run of s consecutive places; any s consecutive places hit each batch either
  ⌊s/N⌋ or ⌈s/N⌉ times, so no batch gets more than ⌈s/N⌉ of it;
- the whole line is dealt the same way, so overall batch sizes differ by at most 1.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable


def cap(size: int, n: int) -> int:
    """⌈size/n⌉: the most people of one department any batch may take."""
    return -(-size // n)


def split[K: Hashable](people: Iterable[tuple[K, str]], n: int) -> dict[K, int]:
    """``people``: (key, department) pairs, keys unique and sortable. Returns key → batch 1..n."""
    if n < 1:
        raise ValueError("n must be at least 1")
    by_dept: dict[str, list[K]] = {}
    seen: set[K] = set()
    for key, dept in people:
        if key in seen:
            raise ValueError(f"duplicate key {key!r}")
        seen.add(key)
        by_dept.setdefault(dept, []).append(key)
    line = [key for dept in sorted(by_dept) for key in sorted(by_dept[dept])]  # type: ignore[type-var]
    return {key: i % n + 1 for i, key in enumerate(line)}
