"""Money as integer fen (分) end to end: parse a yuan amount typed by a person, show one in Chinese style.

Floats never touch an amount: parsing goes through Decimal and refuses more than two decimals.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


class InvalidAmount(ValueError):
    pass


def yuan(fen: int) -> str:
    """¥12,345.67 for 1234567; -¥5.00 for -500."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("amounts are integer fen")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}¥{whole:,}.{cents:02d}"


def parse_yuan(raw: object, *, allow_zero: bool = False) -> int:
    """'12,345.6' or '¥100' → fen. Refuses negatives, non-numbers and fractions of a fen."""
    if isinstance(raw, bool | float):
        raise InvalidAmount("金额须以文字或整数给出")
    text = str(raw if raw is not None else "").strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if text.endswith("元"):
        text = text[:-1].strip()
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise InvalidAmount("金额不是有效的数字") from None
    if not d.is_finite():
        raise InvalidAmount("金额不是有效的数字")
    if d < 0:
        raise InvalidAmount("金额不能为负数")
    fen = d * 100
    if fen != fen.to_integral_value():
        raise InvalidAmount("金额最多精确到分（两位小数）")
    if fen == 0 and not allow_zero:
        raise InvalidAmount("金额须大于零")
    if fen > 10**15:
        raise InvalidAmount("金额过大")
    return int(fen)
