from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gonghui.lib import idcard
from gonghui.lib.masking import mask_id, mask_phone

# Numbers whose check digits were computed by hand with the GB 11643 weights.
VALID = [
    "11010519491231002X",  # the standard's own example (female, 1949-12-31)
    "340181198505060016",  # male (17th digit odd)
    "340181198505060024",  # female
]
INVALID = [
    ("110105194912310021", "校验位"),  # wrong check digit (should be X)
    ("340181198505060018", "校验位"),
    ("440524188001010014", "出生日期"),  # the standard's 1880 example: valid digits, nobody that old
    ("340181198502300016", "出生日期"),  # 30 February
    ("990181198505060013", "行政区划"),  # no province 99
    ("34018119850506001", "18位"),  # 17 digits
    ("3401811985050600AX", "18位"),
    ("", "不能为空"),
]


@pytest.mark.parametrize("number", VALID)
def test_it_accepts_known_valid_numbers(number: str) -> None:
    assert idcard.parse(number).number == number


@pytest.mark.parametrize(("number", "reason"), INVALID)
def test_it_rejects_known_invalid_numbers_with_a_reason(number: str, reason: str) -> None:
    with pytest.raises(idcard.InvalidIdNumber, match=reason):
        idcard.parse(number)


def test_it_rejects_a_future_birth_date() -> None:
    first17 = "34018120300101001"
    with pytest.raises(idcard.InvalidIdNumber, match="出生日期"):
        idcard.parse(first17 + idcard.check_char(first17), today=dt.date(2026, 11, 26))


def test_it_derives_sex_and_birth_date() -> None:
    info = idcard.parse("11010519491231002X")
    assert (info.sex, info.birth_date, info.region_code) == ("F", dt.date(1949, 12, 31), "110105")
    assert idcard.parse("340181198505060016").sex == "M"


def test_it_upgrades_15_digit_numbers() -> None:
    # 15-digit 110105491231002 → 11010519491231002X
    assert idcard.parse("110105491231002").number == "11010519491231002X"


def test_it_normalizes_full_width_digits_spaces_and_lower_x() -> None:
    assert idcard.parse(" １１０１０５１９４９１２３１００２ｘ ").number == "11010519491231002X"


@given(
    st.sampled_from(["110105", "340181", "630100"]),
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)),
    st.integers(0, 99),
    st.sampled_from("MF"),
)
def test_it_round_trips_generated_numbers(region: str, birth: dt.date, seq: int, sex: str) -> None:
    number = idcard.make_id(region, birth, seq, sex=sex)
    info = idcard.parse(number)
    assert (info.birth_date, info.sex) == (birth, sex)
    # any single changed digit in the first 17 breaks the check digit or the date
    broken = number[:16] + str((int(number[16]) + 1) % 10) + number[17]
    assert not idcard.is_valid(broken)


@pytest.mark.parametrize(
    ("raw", "expected"), [("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("１３８１２３４５６７８", "13812345678")]
)
def test_it_normalizes_mobiles(raw: str, expected: str) -> None:
    assert idcard.normalize_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "abc"])
def test_it_rejects_invalid_mobiles(raw: str) -> None:
    with pytest.raises(idcard.InvalidMobile, match="11位"):
        idcard.normalize_mobile(raw)


def test_it_masks_to_at_most_first_3_and_last_4() -> None:
    assert mask_id("34018119850506002X") == "340***********002X"
    assert mask_phone("13812345678") == "138****5678"
