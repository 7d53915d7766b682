from __future__ import annotations

from django import template

from gonghui.lib.phrasing import approx as _approx

register = template.Library()


@register.filter
def approx(n: int | None) -> str:
    """{{ 1057|approx }} → 1000余"""
    return "" if n is None else _approx(int(n))
