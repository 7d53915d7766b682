from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gonghui.alliances.models import Alliance
from gonghui.orgs.models import Org

from . import queries
from .models import Activity, ActivityType, Campaign

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OrgCodesField(forms.CharField):
    """Orgs by their codes, one a line (or separated by spaces or commas); names only are revealed."""

    widget = forms.Textarea(attrs={"rows": 2})

    def clean(self, value: Any) -> list[Org]:
        text = super().clean(value) or ""
        codes = [c for c in text.replace(",", " ").replace("，", " ").split() if c]
        orgs = {o.code: o for o in Org.objects.filter(code__in=codes)}
        missing = [c for c in codes if c not in orgs]
        if missing:
            raise forms.ValidationError(_("没有找到这些编码的工会组织：%(codes)s") % {"codes": "、".join(missing)})
        return [orgs[c] for c in dict.fromkeys(codes)]


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    activity_type = forms.ModelChoiceField(label=_("活动类型"), queryset=ActivityType.objects.filter(is_active=True))
    venue = forms.CharField(label=_("场地"), max_length=200, required=False)
    description = forms.CharField(label=_("活动内容"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    co_organizers = OrgCodesField(label=_("协办单位编码"), required=False)
    audience = OrgCodesField(label=_("面向工会编码"), required=False, help_text=_("留空：本单位（联盟活动为联盟的成员工会）"))
    alliance = forms.ModelChoiceField(label=_("所属联盟"), queryset=Alliance.objects.none(), required=False)
    campaign = forms.ModelChoiceField(label=_("专项行动"), queryset=Campaign.objects.none(), required=False)

    def __init__(self, *args: Any, organizer: Org, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:  # the organizer, alliance and campaign are fixed once created
            del self.fields["alliance"], self.fields["campaign"]
            return
        self.fields["alliance"].queryset = Alliance.objects.filter(
            Q(host_org=organizer) | Q(members__org=organizer, members__left_on__isnull=True)
        ).distinct()
        ancestors = Org.objects.filter(pk__in=[*organizer.ancestor_ids(), organizer.pk])
        self.fields["campaign"].queryset = Campaign.objects.filter(org__in=ancestors)


class SessionForm(forms.Form):
    title = forms.CharField(label=_("场次名称"), max_length=100, required=False)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DATETIME)
    place = forms.CharField(label=_("地点"), max_length=200)
    capacity = forms.IntegerField(label=_("名额"), required=False, min_value=0, help_text=_("不填表示不限"))


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("变更为"), choices=Activity.Status.choices)
    note = forms.CharField(label=_("说明"), max_length=500, required=False)
    summary = forms.CharField(label=_("活动总结"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class BulkRegisterForm(forms.Form):
    """People of the cadre's own roll, shown by name and union (no ID numbers)."""

    people = forms.ModelMultipleChoiceField(label=_("报名人员"), queryset=None, widget=forms.CheckboxSelectMultiple)  # type: ignore[arg-type]

    def __init__(self, *args: Any, user: Any, name: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["people"]
        field.queryset = queries.pickable_people(user)  # type: ignore[attr-defined]
        shown = list(queries.pickable_people(user, name=name)[:200])
        field.choices = [(p.pk, f"{p.name}（{p.org.name}）") for p in shown]  # type: ignore[attr-defined]
