"""Mainland resident ID numbers (GB 11643-1999) and mobile numbers.

Pure functions, no Django: normalise, upgrade 15→18 digits, validate, derive sex and birth date.
Errors are ``InvalidIdNumber`` with a Chinese message a cadre can act on.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# GB/T 2260 province-level codes (first two digits), including 71/81/82 (台湾/香港/澳门).
PROVINCE_CODES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    ]
)
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class InvalidIdNumber(ValueError):
    pass


class InvalidMobile(ValueError):
    pass


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    region_code: str


def normalize(raw: str) -> str:
    """Full-width digits and letters to half-width, spaces removed, x upper-cased."""
    text = raw or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split()).upper()


def check_char(first17: str) -> str:
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))
    return CHECK_CHARS[total % 11]


def upgrade_15(number15: str) -> str:
    """A 15-digit (pre-1999) number becomes 18 digits: century 19 inserted, check char appended."""
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_char(first17)


def parse(raw: str, *, today: dt.date | None = None) -> IdInfo:
    number = normalize(raw)
    if not number:
        raise InvalidIdNumber("身份证号不能为空")
    if _ID15.match(number):
        number = upgrade_15(number)
    if not _ID18.match(number):
        raise InvalidIdNumber("身份证号应为18位（前17位数字，末位数字或X），或15位数字")
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdNumber("身份证号前两位不是有效的省级行政区划代码")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号中的出生日期无效") from None
    today = today or dt.date.today()  # noqa: DTZ011 - framework-free; the process runs in local time
    if birth > today or birth.year < 1900:
        raise InvalidIdNumber("身份证号中的出生日期不在合理范围内")
    if check_char(number[:17]) != number[17]:
        raise InvalidIdNumber("身份证号校验位不正确，请核对后重新输入")
    return IdInfo(
        number=number,
        birth_date=birth,
        sex="M" if int(number[16]) % 2 else "F",
        region_code=number[:6],
    )


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except InvalidIdNumber:
        return False
    return True


def normalize_mobile(raw: str) -> str:
    number = normalize(raw)
    if number.startswith("+86"):
        number = number[3:]
    number = number.replace("-", "")
    if not _MOBILE.match(number):
        raise InvalidMobile("手机号应为以1开头的11位数字")
    return number


def make_id(region: str, birth: dt.date, seq: int, *, sex: str = "M") -> str:
    """Build a valid 18-digit number (for demo data and tests): seq 0–99, sex from the 17th digit."""
    sex_digit = (seq % 5) * 2 + (1 if sex == "M" else 0)
    first17 = f"{region}{birth:%Y%m%d}{seq % 100:02d}{sex_digit}"
    return first17 + check_char(first17)
