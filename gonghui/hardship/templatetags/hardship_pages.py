from __future__ import annotations

from django import template

from gonghui.lib.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """{{ 123450|yuan }} → ¥1,234.50"""
    return "" if fen is None else _yuan(int(fen))


@register.filter
def file_number(pk: int | None) -> str:
    """{{ 12|file_number }} → KN00000012 (a file's number from its id)."""
    from gonghui.hardship.models import HardshipFile

    return HardshipFile(pk=int(pk)).number if pk else ""
