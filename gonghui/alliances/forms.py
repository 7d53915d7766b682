from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs import policy
from gonghui.orgs.models import Org
from gonghui.people.models import Person

from .models import CouncilSeat, RotationPlan, RotationTurn

DATE = forms.DateInput(attrs={"type": "date"})


class AllianceForm(forms.Form):
    name = forms.CharField(label=_("联盟名称"), max_length=100)
    founded_on = forms.DateField(label=_("成立日期"), required=False, widget=DATE)
    description = forms.CharField(label=_("简介"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class CharterForm(forms.Form):
    purpose = forms.CharField(label=_("一个宗旨"), max_length=200)
    mechanisms = forms.CharField(label=_("工作机制（每行一项）"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    platforms = forms.CharField(label=_("服务平台（每行一项）"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    brands = forms.CharField(label=_("活动品牌（每行一项）"), required=False, widget=forms.Textarea(attrs={"rows": 5}))


class OrgByCodeField(forms.CharField):
    """An org picked by its code. Any union anywhere may join an alliance, so the lookup is
    deployment-wide, but it reveals only the org's name, never its people."""

    def clean(self, value: Any) -> Org | None:
        code = super().clean(value)
        if not code:
            return None
        org = Org.objects.filter(code=code.strip()).first()
        if org is None:
            raise forms.ValidationError(_("没有找到该编码的工会组织"))
        return org


class MemberJoinForm(forms.Form):
    org = OrgByCodeField(label=_("成员工会编码"), max_length=32)
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE)
    is_founder = forms.BooleanField(label=_("发起单位"), required=False)
    strengths = forms.CharField(label=_("生产经营特点"), max_length=200, required=False)


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("退出日期"), widget=DATE)


class SeatForm(forms.Form):
    role = forms.ChoiceField(label=_("职务"), choices=CouncilSeat.Role.choices)
    person = forms.CharField(label=_("人员身份证号"), max_length=24)
    member_org = OrgByCodeField(label=_("所在成员工会编码"), max_length=32, required=False)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(label=_("任期结束"), required=False, widget=DATE)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_person(self) -> Person:
        # Only people the user may already operate on can be seated: the lookup is scoped.
        from gonghui.lib.errors import ServiceError
        from gonghui.people.services import find_by_id_number

        try:
            person = find_by_id_number(self.cleaned_data["person"])
        except ServiceError as e:
            raise forms.ValidationError(e.message) from None
        if person is None or not policy.user_can(self.user, "operate", person.org):
            raise forms.ValidationError(_("在您的管理范围内没有找到该身份证号的人员"))
        return person


# Rotation duty (轮值)


def _activity_types() -> Any:
    from gonghui.activities.models import ActivityType

    return ActivityType.objects.filter(is_active=True).order_by("sort", "id")


class RotationGenerateForm(forms.Form):
    start = forms.DateField(label=_("开始月份（某月1日）"), widget=DATE)
    period_kind = forms.ChoiceField(label=_("周期"), choices=RotationPlan.PeriodKind.choices)
    periods = forms.IntegerField(label=_("期数"), min_value=1, max_value=24, initial=6)
    wanted_types = forms.ModelMultipleChoiceField(
        label=_("各期活动类型（依次循环）"),
        queryset=_activity_types(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不指定；选中的类型按排列顺序分配给各期，擅长该类型的应轮值单位优先"),
    )


class TurnSwapForm(forms.Form):
    other = forms.ModelChoiceField(label=_("与哪一期调换"), queryset=RotationTurn.objects.none())
    reason = forms.CharField(label=_("原因"), max_length=200)

    def __init__(self, *args: Any, turn: RotationTurn, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other"]
        field.queryset = (  # type: ignore[attr-defined]
            RotationTurn.objects.filter(alliance_id=turn.alliance_id, status__in=[RotationTurn.Status.PLANNED, RotationTurn.Status.SWAPPED])
            .exclude(pk=turn.pk)
            .exclude(host_id=turn.host_id)
            .select_related("plan", "host__org")
            .order_by("starts_on", "id")
        )
        field.label_from_instance = lambda t: f"{t.period_label} · {t.host.org.name}"  # type: ignore[attr-defined]


class TurnSkipForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200)
    replace = forms.BooleanField(label=_("由应轮值的其他成员工会接替本期"), required=False, initial=True)


class TurnLinkForm(forms.Form):
    activity = forms.ModelChoiceField(label=_("活动"), queryset=RotationTurn.objects.none())

    def __init__(self, *args: Any, turn: RotationTurn, **kwargs: Any) -> None:
        from .queries import linkable_activities

        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = linkable_activities(turn)  # type: ignore[attr-defined]


class StrengthsForm(forms.Form):
    activity_types = forms.ModelMultipleChoiceField(
        label=_("擅长活动类型"), queryset=_activity_types(), required=False, widget=forms.CheckboxSelectMultiple
    )


class BlackoutForm(forms.Form):
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    reason = forms.CharField(label=_("原因"), max_length=200)
