from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.lib.phrasing import approx


@pytest.mark.parametrize(
    ("n", "text"),
    [(0, "0"), (99, "99"), (100, "100"), (153, "150余"), (1000, "1000"), (1057, "1000余"), (1236, "1200余"), (5532, "5500余"),
     (9999, "9900余"), (10_000, "1万"), (92_400, "9万余"), (180_000, "18万")],
)  # fmt: skip
def test_it_phrases_figures_like_the_seed_page(n: int, text: str) -> None:
    assert approx(n) == text


@given(st.integers(min_value=100, max_value=9_999))
def test_it_never_overstates_and_keeps_two_figures(n: int) -> None:
    text = approx(n)
    floor = int(text.rstrip("余"))
    assert floor <= n < floor + 10 ** (len(str(n)) - 2)
    assert text.endswith("余") == (floor != n)


def test_it_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match="never negative"):
        approx(-1)
