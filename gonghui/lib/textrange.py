"""Prefix searches as index-friendly ranges (LIKE is not index-friendly on SQLite)."""

from __future__ import annotations

from django.db.models import Q


def prefix_q(field: str, prefix: str) -> Q:
    """``field`` starts with ``prefix``, as ``prefix <= field < prefix⁺`` (binary collation)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})
