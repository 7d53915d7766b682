from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.activities.models import ActivityType, Campaign
from gonghui.orgs.models import Org

from .queries import Period

MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
DATE = forms.DateInput(attrs={"type": "date"})


class MonthField(forms.DateField):
    input_formats = ["%Y-%m"]
    widget = MONTH


class FilterForm(forms.Form):
    """The dashboard's period (whole months; by default the latest year with attendance in scope) and activity type."""

    start = MonthField(label=_("起始月份"), required=False)
    end = MonthField(label=_("截止月份"), required=False)
    type = forms.ModelChoiceField(label=_("活动类型"), queryset=ActivityType.objects.all(), required=False, empty_label=_("全部类型"))

    def __init__(self, *args: Any, default_year: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_year = default_year or timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        year = self.default_year
        first = data.get("start") or dt.date(year, 1, 1)
        last = data.get("end") or (dt.date(first.year, 12, 1) if data.get("start") else dt.date(year, 12, 1))
        if last < first:
            raise forms.ValidationError(_("截止月份不能早于起始月份"))
        if (last.year - first.year) * 12 + last.month - first.month >= 60:
            raise forms.ValidationError(_("统计期间最长五年"))
        data["period"] = Period(first.replace(day=1), last.replace(day=1))
        return data


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("专项名称"), max_length=100)
    unit = forms.ChoiceField(label=_("计量单位"), choices=Campaign.Unit.choices, initial=Campaign.Unit.SESSIONS)
    activity_type = forms.ModelChoiceField(label=_("活动类型"), queryset=ActivityType.objects.filter(is_active=True), required=False)
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class TargetForm(forms.Form):
    org = forms.CharField(label=_("下级工会编码"), max_length=32)
    target = forms.IntegerField(label=_("目标数"), min_value=0, max_value=1_000_000)

    def clean_org(self) -> Org:
        org = Org.objects.filter(code=self.cleaned_data["org"].strip()).first()
        if org is None:
            raise forms.ValidationError(_("没有找到该编码的工会组织"))
        return org
