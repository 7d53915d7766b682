"""``{{ fen|yuan }}``: an integer amount in fen shown as ¥12,345.67 — the one money filter of every
template (money, hardship, the worker's page)."""

from __future__ import annotations

from django import template

from gonghui.lib.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    return _yuan(int(fen or 0))
