"""Spreadsheet cell values we write: text, and never a formula by accident."""

from __future__ import annotations

import datetime as dt
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def safe_cell(value: Any) -> str:
    """Any value as text; formula-like text is kept as text by the writers (quotePrefix)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
