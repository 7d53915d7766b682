"""Figures phrased the way union reports phrase them: 1,057 → "1000余", 5,532 → "5500余",
153 → "150余", 92,400 → "9万余", 180,000 → "18万"."""

from __future__ import annotations


def approx(n: int) -> str:
    """Round down to two significant figures (to whole 万 from 10,000 up) and say 余 when
    something was rounded off; small and round figures stay exact."""
    if n < 0:
        raise ValueError("a count is never negative")
    if n >= 10_000:
        wan, rest = divmod(n, 10_000)
        return f"{wan}万{'余' if rest else ''}"
    if n < 100:
        return str(n)
    step = 10 ** (len(str(n)) - 2)
    floor = n // step * step
    return f"{floor}{'余' if n != floor else ''}"
