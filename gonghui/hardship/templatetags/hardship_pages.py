from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def file_number(pk: int | None) -> str:
    """{{ 12|file_number }} → KN00000012 (a file's number from its id)."""
    from gonghui.hardship.models import HardshipFile

    return HardshipFile(pk=int(pk)).number if pk else ""
