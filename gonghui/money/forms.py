"""Forms of the money pages. Labels in Chinese; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import subject_categories


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("专项名称"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("如：2026年两节送温暖")}))
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    categories = forms.MultipleChoiceField(
        label=_("适用类别"),
        choices=subject_categories,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选：各类困难家庭均可"),
    )

    def clean(self) -> dict[str, Any]:
        d = super().clean() or {}
        if d.get("starts_on") and d.get("ends_on") and d["ends_on"] < d["starts_on"]:
            self.add_error("ends_on", _("结束日期不能早于开始日期"))
        return d
