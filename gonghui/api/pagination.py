"""Cursor pagination by keyset: no OFFSET and no COUNT(*), so page 1,000 costs what page 1 does.

The cursor is the urlsafe base64 of the last row's key (a JSON list), opaque to clients. A
forged cursor can only move the window inside the queryset it is applied to, which is already
limited to the caller's scope.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.lib.errors import ServiceError

MAX_ID = 2**63 - 1  # BIGINT: larger values cannot be stored, and drivers refuse them

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode()).decode().rstrip("=")


def decode(cursor: str, keys: tuple[str, ...]) -> list[Any]:
    invalid = ServiceError(_("分页游标无效"), field="cursor", code="invalid_cursor")
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii") + b"=" * (-len(cursor) % 4)))
    except (ValueError, UnicodeError):  # binascii.Error and JSONDecodeError are ValueErrors
        raise invalid from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise invalid
    for key, value in zip(keys, values, strict=True):
        if key in ("id", "pk"):
            ok = type(value) is int and 0 <= value <= MAX_ID
        else:
            ok = isinstance(value, str) and len(value) <= 255 and "\x00" not in value
        if not ok:
            raise invalid
    return values


def after(keys: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in the order of ``keys`` (all ascending)."""
    q = Q(pk__in=[])
    for i, key in enumerate(keys):
        q |= Q(**dict(zip(keys[:i], values[:i], strict=True)), **{f"{key}__gt": values[i]})
    return q


def page(qs: QuerySet[Any], *, keys: tuple[str, ...], limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    """One page of ``qs`` ordered by ``keys`` (the last key unique), and the next page's cursor."""
    qs = qs.order_by(*keys)
    if cursor:
        qs = qs.filter(after(keys, decode(cursor, keys)))
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode([getattr(rows[-1], k) for k in keys])
