from __future__ import annotations

from django import template

from gonghui.lib import money
from gonghui.lib.phrasing import approx as _approx

register = template.Library()


@register.filter
def approx(n: int | None) -> str:
    """{{ 1057|approx }} → 1000余"""
    return "" if n is None else _approx(int(n))


@register.filter
def yuan(fen: int) -> str:
    """Integer fen as money: {{ 640000|yuan }} → ¥6,400.00."""
    return money.yuan(int(fen))
