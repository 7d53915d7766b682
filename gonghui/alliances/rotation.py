"""Rotation duty (轮值): who hosts each period. Pure functions over plain data, no Django.

The rule, slot by slot, in date order:

1. **eligible** units: not inside any of their blackout ranges on any day of the slot;
2. **due** units: the eligible ones with the fewest hosted turns so far (balance comes first);
3. among the due, those whose declared strengths include the slot's wanted activity type, if any
   of them has it (strengths decide among the units that are due);
4. ties: the longest since it last hosted (never hosted first), then join order.

The chosen unit's count goes up by one before the next slot is decided, so a sequence of slots
(and a sequence of plans fed the carried ledger) stays balanced: with no blackouts, if the counts
start within 1 of each other they stay within 1 after every slot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Unit:
    key: int  # the AllianceMember id
    order: int  # join order: the last tie-break
    hosted: int = 0  # the fairness ledger: turns hosted (skipped turns do not count)
    last_hosted: dt.date | None = None  # start of the last hosted period
    strengths: frozenset[str] = frozenset()  # activity type codes
    blackouts: tuple[tuple[dt.date, dt.date], ...] = ()  # inclusive date ranges

    def free_over(self, start: dt.date, end: dt.date) -> bool:
        return all(b_end < start or b_start > end for b_start, b_end in self.blackouts)


@dataclass(frozen=True)
class Slot:
    starts_on: dt.date
    ends_on: dt.date
    wanted: str | None = None  # an activity type code, or no preference


@dataclass(frozen=True)
class Pick:
    slot: Slot
    key: int
    by_strength: bool  # the wanted type decided among the due units


@dataclass
class NoEligibleHost(Exception):
    index: int
    slot: Slot
    picks: list[Pick] = field(default_factory=list)  # the slots decided before this one


def due_units(units: Iterable[Unit], slot: Slot) -> list[Unit]:
    """The eligible units with the minimum host count: the only ones that may host ``slot``."""
    eligible = [u for u in units if u.free_over(slot.starts_on, slot.ends_on)]
    if not eligible:
        return []
    low = min(u.hosted for u in eligible)
    return [u for u in eligible if u.hosted == low]


def choose(units: Iterable[Unit], slot: Slot) -> Pick | None:
    """The host of one slot, or None when no unit is free over its dates."""
    due = due_units(units, slot)
    if not due:
        return None
    strong = [u for u in due if slot.wanted is not None and slot.wanted in u.strengths]
    pool = strong or due
    best = min(pool, key=lambda u: (u.last_hosted is not None, u.last_hosted or dt.date.min, u.order))
    return Pick(slot=slot, key=best.key, by_strength=bool(strong))


def schedule(units: Sequence[Unit], slots: Sequence[Slot]) -> tuple[list[Pick], list[Unit]]:
    """Hosts for ``slots`` in order, and the units with their ledger after them.

    Raises ``NoEligibleHost`` at the first slot no unit can host (the caller writes nothing)."""
    current = {u.key: u for u in units}
    picks: list[Pick] = []
    for i, slot in enumerate(slots):
        pick = choose(current.values(), slot)
        if pick is None:
            raise NoEligibleHost(index=i, slot=slot, picks=picks)
        u = current[pick.key]
        current[pick.key] = replace(u, hosted=u.hosted + 1, last_hosted=slot.starts_on)
        picks.append(pick)
    return picks, list(current.values())


def add_months(day: dt.date, months: int) -> dt.date:
    m = day.month - 1 + months
    return dt.date(day.year + m // 12, m % 12 + 1, 1)


def periods(start: dt.date, count: int, months_each: int) -> list[tuple[dt.date, dt.date]]:
    """``count`` consecutive periods of ``months_each`` calendar months from ``start`` (a 1st)."""
    out = []
    for i in range(count):
        begin = add_months(start, i * months_each)
        out.append((begin, add_months(begin, months_each) - dt.timedelta(days=1)))
    return out
