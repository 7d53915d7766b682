"""Filters of the statistics, coverage and query pages (GET forms; nothing is written)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .stats import COVERAGE_LISTS, NEEDS_VALUE


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)

    def year_or_current(self) -> int:
        return (self.cleaned_data.get("year") if self.is_valid() else None) or timezone.localdate().year


class CoverageForm(forms.Form):
    show = forms.ChoiceField(label=_("名单"), choices=list(COVERAGE_LISTS.items()), required=False)

    def show_or_default(self) -> str:
        return (self.cleaned_data.get("show") if self.is_valid() else None) or "no_contact"


WORKER_CHOICES = [("", _("职工和农民工")), ("worker", _("职工")), ("migrant", _("农民工"))]


class QueryForm(forms.Form):
    """A list query's filter: the 库 (职工 / 农民工) and, for the name query, the name's start."""

    value = forms.CharField(label=_("户主姓名（开头）"), max_length=50)
    worker = forms.ChoiceField(label=_("档案库"), choices=WORKER_CHOICES, required=False)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind not in NEEDS_VALUE:
            del self.fields["value"]

    def migrant(self) -> bool | None:
        return {"worker": False, "migrant": True}.get(self.cleaned_data.get("worker") or "")


class IdLookupForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
