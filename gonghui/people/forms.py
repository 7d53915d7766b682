from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Membership

ETHNICITIES = ["汉族", "回族", "满族", "壮族", "维吾尔族", "苗族", "彝族", "土家族", "藏族", "蒙古族", "其他"]
POLITICAL = ["中共党员", "中共预备党员", "共青团员", "民主党派", "群众"]
EDUCATION = ["研究生", "大学本科", "大学专科", "中专/高中", "初中及以下"]
DEGREE = ["博士", "硕士", "学士", "无"]
SKILL = ["高级技师", "技师", "高级工", "中级工", "初级工", "无"]
HOUSEHOLD = ["城镇", "农村"]
MARITAL = ["未婚", "已婚", "离异", "丧偶"]


def _choices(values: list[str]) -> list[tuple[str, str]]:
    return [("", "—")] + [(v, v) for v in values]


class PersonProfileForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=_choices(ETHNICITIES), required=False)
    political_status = forms.ChoiceField(label=_("政治面貌"), choices=_choices(POLITICAL), required=False)
    education = forms.ChoiceField(label=_("学历"), choices=_choices(EDUCATION), required=False)
    degree = forms.ChoiceField(label=_("学位"), choices=_choices(DEGREE), required=False)
    skill_level = forms.ChoiceField(label=_("技能等级"), choices=_choices(SKILL), required=False)
    household_type = forms.ChoiceField(label=_("户籍类型"), choices=_choices(HOUSEHOLD), required=False)
    marital_status = forms.ChoiceField(label=_("婚姻状况"), choices=_choices(MARITAL), required=False)
    is_migrant_worker = forms.BooleanField(label=_("农民工"), required=False)


class PersonRegisterForm(PersonProfileForm):
    id_number = forms.CharField(label=_("身份证号"), max_length=24)
    membership_status = forms.ChoiceField(
        label=_("会籍状态"),
        choices=[(Membership.Status.ACTIVE, _("会员")), (Membership.Status.APPLIED, _("申请中"))],
        initial=Membership.Status.ACTIVE,
    )
    joined_on = forms.DateField(label=_("入会日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    field_order = ["name", "id_number", "phone", "membership_status", "joined_on"]


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=[(s, s) for s in ("active", "retained", "withdrawn", "expelled")])
    reason = forms.CharField(max_length=200, required=False)


class TransferRequestForm(forms.Form):
    id_number = forms.CharField(label=_("身份证号"), max_length=24)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class TransferDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = forms.CharField(max_length=200, required=False)


class RollFilterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), required=False, max_length=50)
    id_tail = forms.CharField(label=_("证件号后几位"), required=False, max_length=6)
    phone = forms.CharField(label=_("手机号"), required=False, max_length=20)
    status = forms.ChoiceField(
        label=_("会籍状态"),
        required=False,
        choices=[("", _("在册")), ("all", _("全部")), *Membership.Status.choices],
        help_text=_("在册：申请中、会员和保留会籍"),
    )
