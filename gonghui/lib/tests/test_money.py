from __future__ import annotations

import pytest

from gonghui.lib.money import InvalidAmount, parse_yuan, yuan


@pytest.mark.parametrize(("fen", "text"), [(1234567, "¥12,345.67"), (0, "¥0.00"), (5, "¥0.05"), (-500, "-¥5.00"), (200_000_000, "¥2,000,000.00")])
def test_it_shows_fen_as_chinese_yuan(fen, text) -> None:
    assert yuan(fen) == text


def test_it_refuses_to_show_a_float() -> None:
    with pytest.raises(TypeError):
        yuan(12.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(("raw", "fen"), [("12,345.67", 1234567), ("¥100", 10000), ("0.1", 10), ("20000元", 2_000_000), (15, 1500)])
def test_it_parses_yuan_to_fen(raw, fen) -> None:
    assert parse_yuan(raw) == fen


@pytest.mark.parametrize(
    ("raw", "message"),
    [("-1", "负数"), ("abc", "有效的数字"), ("1.001", "两位小数"), ("0", "大于零"), (1.5, "文字或整数"), ("NaN", "有效的数字"), ("", "有效的数字")],
)
def test_it_refuses_bad_amounts(raw, message) -> None:
    with pytest.raises(InvalidAmount, match=message):
        parse_yuan(raw)
