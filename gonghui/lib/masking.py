"""Masked display of identifiers: never more than the first 3 and last 4 characters of an ID."""

from __future__ import annotations


def mask_id(number: str | None) -> str:
    if not number:
        return ""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(number: str | None) -> str:
    if not number:
        return ""
    if len(number) != 11:
        return "*" * max(len(number) - 4, 0) + number[-4:]
    return number[:3] + "****" + number[-4:]
