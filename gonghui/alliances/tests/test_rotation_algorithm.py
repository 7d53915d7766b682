"""Property tests of the pure rotation rule (gonghui/alliances/rotation.py).

The properties, as the issue states them:

- **balance**: with no blackouts (and no skips), over any number of periods and any number of
  successive plans fed the carried ledger, every unit's host count is within 1 of every other's,
  after every single period;
- **balance comes first, strengths decide among the due**: the host of a slot is always one of
  the *due* units (free over the slot, with the fewest hosted turns among the free units); and
  whenever a due unit declares the slot's wanted type, the host declares it;
- **blackouts**: no unit is ever scheduled inside its own blackout dates; when every unit is
  blacked out over a slot, scheduling stops there with ``NoEligibleHost`` naming that slot.

The checks below recompute "free" and "due" independently of the module under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gonghui.alliances import rotation
from gonghui.alliances.rotation import NoEligibleHost, Slot, Unit

CODES = ["skills", "training", "law", "film"]
START = dt.date(2024, 1, 1)


def overlaps(rng: tuple[dt.date, dt.date], slot: Slot) -> bool:
    return rng[0] <= slot.ends_on and rng[1] >= slot.starts_on


@st.composite
def units(draw: st.DrawFn, *, blackouts: bool) -> list[Unit]:
    n = draw(st.integers(1, 8))
    base = draw(st.integers(0, 5))
    out = []
    for i in range(n):
        ranges: tuple[tuple[dt.date, dt.date], ...] = ()
        if blackouts:
            starts = draw(st.lists(st.integers(0, 900), max_size=3))
            ranges = tuple((START + dt.timedelta(days=s), START + dt.timedelta(days=s + draw(st.integers(0, 120)))) for s in starts)
        out.append(
            Unit(
                key=100 + i,
                order=i,
                # A balanced ledger to start from (everyone at base or base + 1).
                hosted=base + draw(st.integers(0, 1)),
                strengths=frozenset(draw(st.lists(st.sampled_from(CODES), max_size=2))),
                blackouts=ranges,
            )
        )
    return out


@st.composite
def plans(draw: st.DrawFn) -> list[list[Slot]]:
    """Successive plans of consecutive monthly or quarterly slots, each wanting a type or not."""
    out, start = [], START
    for _ in range(draw(st.integers(1, 4))):
        months = draw(st.sampled_from([1, 3]))
        dates = rotation.periods(start, draw(st.integers(1, 12)), months)
        out.append([Slot(a, b, draw(st.one_of(st.none(), st.sampled_from(CODES)))) for a, b in dates])
        start = rotation.add_months(dates[-1][0], months)
    return out


@settings(max_examples=300, deadline=None)
@given(units(blackouts=False), plans())
def test_it_keeps_every_host_count_within_one_after_every_period_across_plans(us: list[Unit], ps: list[list[Slot]]) -> None:
    counts = {u.key: u.hosted for u in us}
    assert max(counts.values()) - min(counts.values()) <= 1
    for slots in ps:
        picks, us = rotation.schedule(us, slots)  # the next plan starts from the carried ledger
        for p in picks:
            counts[p.key] += 1
            assert max(counts.values()) - min(counts.values()) <= 1
        assert counts == {u.key: u.hosted for u in us}


@settings(max_examples=300, deadline=None)
@given(units(blackouts=True), plans())
def test_it_picks_a_due_unit_and_honours_strengths_whenever_a_due_unit_has_them(us: list[Unit], ps: list[list[Slot]]) -> None:
    by_key = {u.key: u for u in us}
    counts = {u.key: u.hosted for u in us}
    for slots in ps:
        try:
            picks, us = rotation.schedule(us, slots)
        except NoEligibleHost as e:
            picks = e.picks
        for p in picks:
            free = [k for k, u in by_key.items() if not any(overlaps(b, p.slot) for b in u.blackouts)]
            due = {k for k in free if counts[k] == min(counts[f] for f in free)}
            assert p.key in due, "balance comes first"
            if p.slot.wanted and any(p.slot.wanted in by_key[k].strengths for k in due):
                assert p.slot.wanted in by_key[p.key].strengths, "strengths decide among the due"
            counts[p.key] += 1
        if len(picks) < len(slots):
            break


@settings(max_examples=300, deadline=None)
@given(units(blackouts=True), plans())
def test_it_never_schedules_a_unit_inside_its_blackout_and_stops_at_a_slot_nobody_can_host(us: list[Unit], ps: list[list[Slot]]) -> None:
    by_key = {u.key: u for u in us}
    for slots in ps:
        try:
            picks, us = rotation.schedule(us, slots)
        except NoEligibleHost as e:
            picks = e.picks
            assert e.slot == slots[e.index] and len(picks) == e.index
            assert all(any(overlaps(b, e.slot) for b in u.blackouts) for u in by_key.values())
        for p in picks:
            assert not any(overlaps(b, p.slot) for b in by_key[p.key].blackouts)
        if len(picks) < len(slots):
            break


def test_it_gives_the_wanted_type_to_the_due_unit_that_declared_it() -> None:
    baoan = Unit(key=1, order=0, strengths=frozenset({"skills"}))  # 保安 → 技能竞赛
    shipin = Unit(key=2, order=1, strengths=frozenset({"training"}))  # 食品 → 烘焙培训
    plain = Unit(key=3, order=2)
    slots = [Slot(a, b, w) for (a, b), w in zip(rotation.periods(START, 4, 1), ["training", "skills", None, "skills"], strict=True)]
    picks, after = rotation.schedule([baoan, shipin, plain], slots)
    # Round 1: 食品 (training), 保安 (skills), the remaining due unit; round 2 starts level: 保安.
    assert [(p.key, p.by_strength) for p in picks] == [(2, True), (1, True), (3, False), (1, True)]
    assert [(u.key, u.hosted) for u in after] == [(1, 2), (2, 1), (3, 1)]


def test_it_prefers_balance_over_strengths() -> None:
    hosted_once = Unit(key=1, order=0, hosted=1, strengths=frozenset({"skills"}))
    never = Unit(key=2, order=1)
    picks, _ = rotation.schedule([hosted_once, never], [Slot(START, dt.date(2024, 1, 31), "skills")])
    assert [(p.key, p.by_strength) for p in picks] == [(2, False)]


def test_it_breaks_ties_by_longest_since_hosted_then_join_order() -> None:
    recent = Unit(key=1, order=0, hosted=1, last_hosted=dt.date(2023, 12, 1))
    earlier = Unit(key=2, order=1, hosted=1, last_hosted=dt.date(2023, 11, 1))
    never = Unit(key=3, order=2, hosted=1)
    picks, _ = rotation.schedule([recent, earlier, never], rotation_slots(3))
    assert [p.key for p in picks] == [3, 2, 1]


def test_it_names_the_first_slot_nobody_can_host() -> None:
    away = Unit(key=1, order=0, blackouts=((dt.date(2024, 2, 10), dt.date(2024, 2, 12)),))
    with pytest.raises(NoEligibleHost) as e:
        rotation.schedule([away], rotation_slots(3))
    assert (e.value.index, e.value.slot.starts_on, [p.key for p in e.value.picks]) == (1, dt.date(2024, 2, 1), [1])


def test_it_cuts_calendar_months_and_quarters() -> None:
    assert rotation.periods(dt.date(2025, 11, 1), 3, 1) == [
        (dt.date(2025, 11, 1), dt.date(2025, 11, 30)),
        (dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
    ]
    assert rotation.periods(dt.date(2025, 10, 1), 2, 3) == [
        (dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
    ]


def rotation_slots(n: int) -> list[Slot]:
    return [Slot(a, b) for a, b in rotation.periods(START, n, 1)]
