"""Property (acceptance of issue #4 item 6): for any staff list and any N, no department has more
than ⌈s/N⌉ people in one batch, every listed person is in exactly one batch, and batch sizes
differ by at most 1 (the balance we promise). Pure function: no database."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.training.batching import cap, split

staff_lists = st.lists(st.sampled_from(["办公室", "财务科", "生产一车间", "生产二车间", "后勤", "销售部", "质检"]), min_size=1, max_size=300).map(
    lambda depts: [(i, d) for i, d in enumerate(depts)]
)


@given(people=staff_lists, n=st.integers(1, 12))
def test_it_keeps_every_department_under_its_cap_in_every_batch(people: list[tuple[int, str]], n: int) -> None:
    placed = split(people, n)
    sizes = Counter(d for _, d in people)
    per = Counter((d, placed[k]) for k, d in people)
    for (dept, batch), count in per.items():
        assert count <= cap(sizes[dept], n), (dept, batch, count)
        assert 1 <= batch <= n


@given(people=staff_lists, n=st.integers(1, 12))
def test_it_puts_every_listed_person_in_exactly_one_batch(people: list[tuple[int, str]], n: int) -> None:
    placed = split(people, n)
    assert sorted(placed) == sorted(k for k, _ in people)  # a dict: one batch per key, none left out, none added


@given(people=staff_lists, n=st.integers(1, 12))
def test_it_balances_batch_sizes_within_one(people: list[tuple[int, str]], n: int) -> None:
    sizes = Counter(split(people, n).values())
    counts = [sizes.get(b, 0) for b in range(1, n + 1)]
    assert max(counts) - min(counts) <= 1


@given(people=staff_lists, n=st.integers(1, 12))
def test_it_is_deterministic_whatever_the_input_order(people: list[tuple[int, str]], n: int) -> None:
    assert split(people, n) == split(list(reversed(people)), n)


def test_it_splits_wuhu_offices_in_half() -> None:
    # The seed: two batches so each office keeps half its staff working (odd offices: ⌈s/2⌉ at most).
    people = [(1, "办公室"), (2, "办公室"), (3, "办公室"), (4, "办公室"), (5, "财务科"), (6, "财务科"), (7, "财务科")]
    assert split(people, 2) == {1: 1, 2: 2, 3: 1, 4: 2, 5: 1, 6: 2, 7: 1}  # 办公室 2+2, 财务科 2+1


def test_it_refuses_zero_batches_and_duplicates() -> None:
    with pytest.raises(ValueError, match="n must be at least 1"):
        split([(1, "办公室")], 0)
    with pytest.raises(ValueError, match="duplicate key 1"):
        split([(1, "办公室"), (1, "财务科")], 2)
