"""Forms of the hardship pages: they shape input for the services, which decide every rule.

Amounts are typed in yuan as text; the services parse them (and name the row and field when one is
wrong). A form that a service may refuse leaves its fields optional, so the refusal the user sees
is the service's own wording."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.lib.errors import ServiceError
from gonghui.lib.money import InvalidAmount, parse_yuan, yuan

from .models import AnnualReview, Area, CancelReason, Category, Cause, FileLevel, HardshipFile, HouseholdMember, Visit
from .services import MAX_MEMBERS, MemberInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE = forms.Textarea(attrs={"rows": 2})
# The 档案表's enumerations (domain.md §2.3).
HOUSING_TYPES = ["自建房", "商品房", "经济适用房", "两限房", "承租单位公房", "政府廉租房", "租房", "其他"]
HOUSING_AREAS = ["≤20㎡", "20–50㎡", "50–70㎡", ">70㎡"]
POOL_CHOICES = [
    ("on_file", _("在档")),
    ("temporary", _("临时救助")),
    ("intake", _("审核中（含草稿、退回）")),
    ("lifted", _("脱困")),
    ("cancelled", _("注销")),
    ("all", _("全部")),
]


def _blank(choices: Any) -> list[tuple[Any, Any]]:
    return [("", "—"), *choices]


def fen_text(fen: int) -> str:
    """An amount as typed in a form: 1234.5 yuan for 123450 fen, 0 for nothing."""
    whole, cents = divmod(fen, 100)
    return f"{whole}.{cents:02d}" if cents else str(whole)


def _int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _amount(label: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=20, required=False, initial="0")


# ---- the list and the holder picker ------------------------------------------------------------


class FileFilterForm(forms.Form):
    pool = forms.ChoiceField(label=_("档案库"), choices=POOL_CHOICES, required=False, initial="all")
    category = forms.ChoiceField(label=_("困难类别"), choices=_blank(Category.choices), required=False)
    migrant = forms.ChoiceField(label=_("身份"), choices=[("", _("全部")), ("worker", _("职工")), ("migrant", _("农民工"))], required=False)
    name = forms.CharField(label=_("姓名（前几个字）"), max_length=50, required=False)
    id_tail = forms.CharField(label=_("身份证号后几位"), max_length=6, required=False)


class HolderSearchForm(forms.Form):
    name = forms.CharField(label=_("姓名（前几个字）"), max_length=50, required=False)
    id_tail = forms.CharField(label=_("身份证号后几位"), max_length=6, required=False)


# ---- the file and its household ------------------------------------------------------------------


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=_("档案类型"), choices=HardshipFile.Kind.choices, initial=HardshipFile.Kind.FORMAL)
    level = forms.ChoiceField(label=_("建档标准"), choices=FileLevel.choices, initial=FileLevel.GRASSROOTS)
    is_migrant_worker = forms.BooleanField(label=_("农民工"), required=False)
    region_code = forms.CharField(label=_("行政区划代码"), max_length=6, required=False, help_text=_("6位数字；留空为建档工会所在地"))
    area = forms.ChoiceField(label=_("城乡"), choices=Area.choices, initial=Area.URBAN)
    cause_main = forms.ChoiceField(label=_("主要致困原因"), choices=_blank(Cause.choices), required=False)
    cause_secondary = forms.ChoiceField(label=_("次要致困原因"), choices=_blank(Cause.choices), required=False)
    accident_event = forms.CharField(label=_("意外事件"), max_length=200, required=False, help_text=_("意外致困时填写：突发事件、意外伤害或重大疾病"))
    medical_expense = _amount(_("医疗支出（元/年）"))
    education_expense = _amount(_("教育支出（元/年）"))
    other_expense = _amount(_("其他因困支出（元/年）"))
    job_cost = _amount(_("必要就业成本（元/年）"))
    housing_type = forms.ChoiceField(label=_("住房类型"), choices=_blank([(v, v) for v in HOUSING_TYPES]), required=False)
    housing_area = forms.ChoiceField(label=_("住房面积"), choices=_blank([(v, v) for v in HOUSING_AREAS]), required=False)
    bank_account = forms.CharField(label=_("银行账号"), max_length=40, required=False)

    def __init__(self, *args: Any, file: HardshipFile | None = None, **kwargs: Any) -> None:
        if file is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                **{k: getattr(file, k) for k in ("kind", "level", "is_migrant_worker", "region_code", "area", "cause_main", "cause_secondary")},
                **{k: getattr(file, k) for k in ("accident_event", "housing_type", "housing_area")},
                **{k: fen_text(getattr(file, f"{k}_fen")) for k in ("medical_expense", "education_expense", "other_expense", "job_cost")},
            }
        super().__init__(*args, **kwargs)
        self.file = file
        if file is not None and file.bank_tail:
            # The full number is never put into the page: blank keeps the one on file.
            self.fields["bank_account"].help_text = _("已登记尾号%(tail)s；留空表示不变") % {"tail": file.bank_tail}

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.file is not None and not data["bank_account"].strip() and self.file.bank_cipher:
            data["bank_account"] = self.file.bank_account()
        return data


class MemberForm(forms.Form):
    member = forms.IntegerField(required=False, widget=forms.HiddenInput)
    relation = forms.ChoiceField(label=_("与户主关系"), choices=_blank(HouseholdMember.Relation.choices))
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=24, required=False)
    health = forms.ChoiceField(label=_("健康状况"), choices=HouseholdMember.Health.choices, initial=HouseholdMember.Health.HEALTHY)
    disability_type = forms.CharField(label=_("残疾类别"), max_length=16, required=False)
    disability_grade = forms.TypedChoiceField(
        label=_("残疾等级"), choices=_blank([(g, _("%(n)s级") % {"n": g}) for g in (1, 2, 3, 4)]), coerce=int, empty_value=None, required=False
    )
    work_status = forms.ChoiceField(label=_("工作状态"), choices=_blank(HouseholdMember.WorkStatus.choices), required=False)
    wage = _amount(_("工资收入（元/年）"))
    pension = _amount(_("养老金（元/年）"))
    relief = _amount(_("低保及救助（元/年）"))
    other_income = _amount(_("其他收入（元/年）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        masked = self.initial.get("masked")
        if masked:
            self.fields["id_number"].widget.attrs["placeholder"] = masked
            saved = self.initial.get("member")
            hint = _("已登记%(masked)s；留空表示不变") if saved else _("户主本人%(masked)s：留空即取自会员名册")
            self.fields["id_number"].help_text = hint % {"masked": masked}


def member_initial(m: HouseholdMember) -> dict[str, Any]:
    """A saved member as a form row; the ID number stays out of the page (blank keeps it)."""
    return {
        "member": m.pk,
        **{k: getattr(m, k) for k in ("relation", "name", "health", "disability_type", "disability_grade", "work_status")},
        **{k: fen_text(getattr(m, f"{k}_fen")) for k in ("wage", "pension", "relief", "other_income")},
        "masked": m.id_masked,
    }


class BaseMemberFormSet(forms.BaseFormSet):
    """Household rows. Without JavaScript a row is added by the "增加一行" button (the page comes
    back with one more) and removed with its 删除 box; with htmx the same button swaps the section."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "members")
        super().__init__(*args, **kwargs)
        self.kept: list[MemberForm] = []
        self.household_errors: list[str] = []

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"use_required_attribute": False}

    @classmethod
    def grown(cls, data: Any, existing: dict[int, HouseholdMember]) -> BaseMemberFormSet:
        """The posted rows again, unbound (no errors shown yet), with one empty row more."""
        bound = cls(data)
        rows = []
        blank = 0
        for i, f in enumerate(bound.forms):
            if i < bound.initial_form_count() or f.has_changed():
                row = {name: f[name].value() for name in f.fields}
                saved = existing.get(_int(row.get("member")))
                rows.append(row | ({"masked": saved.id_masked} if saved else {}))
            else:
                blank += 1
        grown = cls(initial=rows)
        grown.extra = blank + 1  # the empty rows still on screen stay, and one more comes
        return grown

    def inputs(self, *, holder: Any, existing: dict[int, HouseholdMember]) -> list[MemberInput]:
        """The rows kept (not deleted, not left empty) as service input. A blank ID number keeps a
        saved member's number, and on the 本人 row means the holder's number from the roll."""
        out: list[MemberInput] = []
        self.kept = []
        for form in self.forms:
            d = form.cleaned_data
            if not d or d.get("DELETE"):
                continue
            number = d["id_number"].strip()
            if not number and d.get("member") in existing:
                number = existing[d["member"]].id_number()
            elif not number and d["relation"] == HouseholdMember.Relation.SELF:
                number = holder.id_number()
            fields = {k: d[k] for k in ("relation", "name", "work_status", "health", "disability_type", "disability_grade")}
            out.append(MemberInput(id_number=number, **fields, **{k: d[k] or "0" for k in ("wage", "pension", "relief", "other_income")}))
            self.kept.append(form)
        return out

    def apply_error(self, err: ServiceError) -> bool:
        """Put a service refusal about the household on its row and field; False if not about it."""
        field = err.field or ""
        if field == "members":
            self.household_errors.append(err.message)
            return True
        if not field.startswith("members."):
            return False
        _, index, name = field.split(".", 2)
        form = self.kept[int(index) - 1]
        form.add_error(name if name in form.fields else None, err.message)
        return True

    def summary(self) -> list[str]:
        """Every household error, naming the row and the field (a service message names both)."""
        if not self.is_bound:
            return []
        out = [str(e) for e in self.non_form_errors()] + self.household_errors
        for i, form in enumerate(self.forms, start=1):
            if self.can_delete and self._should_delete_form(form):
                continue
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else ""
                for e in errors:
                    if e.startswith("第"):
                        out.append(e)
                    else:
                        where = _("第%(n)s位家庭成员") % {"n": i}
                        out.append(f"{where} · {label}：{e}" if label else f"{where}：{e}")
        return out


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=1, can_delete=True, max_num=MAX_MEMBERS, validate_max=True, absolute_max=MAX_MEMBERS + 5
)


# ---- workflow steps on the file's page -------------------------------------------------------------


class StepForm(forms.Form):
    """A step's form on the file's page: ids carry the step's name (several forms share the page)."""

    def __init__(self, *args: Any, file: HardshipFile, step: str, **kwargs: Any) -> None:
        super().__init__(*args, auto_id=f"{step}-%s", use_required_attribute=False, **kwargs)
        self.file = file


class NoteForm(StepForm):
    note = forms.CharField(label=_("意见"), max_length=200, required=False, widget=NOTE)


class ReasonForm(StepForm):
    reason = forms.CharField(label=_("说明"), max_length=200, required=False, widget=NOTE)


class ReturnForm(ReasonForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("退回原因")


class ObjectionForm(ReasonForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("异议内容")


class VisitLogForm(StepForm):
    visited_on = forms.DateField(label=_("走访日期"), required=False, widget=DATE)
    channel = forms.ChoiceField(label=_("方式"), choices=Visit.Channel.choices, initial=Visit.Channel.HOME)
    cause_note = forms.CharField(label=_("致困原因"), max_length=500, required=False, widget=NOTE)
    needs_note = forms.CharField(label=_("帮扶需求"), max_length=500, required=False, widget=NOTE)
    measures_note = forms.CharField(label=_("帮扶措施"), max_length=500, required=False, widget=NOTE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"visited_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class HomeVisitForm(VisitLogForm):
    """入户调查: the 三清 notes, and the two forms the worker signs in person."""

    application_signed = forms.BooleanField(label=_("职工已当面签署《困难职工帮扶申请书》"), required=False)
    consent_signed = forms.BooleanField(label=_("职工已当面签署《家庭经济状况核对授权委托书》"), required=False)


class PublicizeForm(StepForm):
    notice_from = forms.DateField(label=_("公示开始"), required=False, widget=DATE)
    notice_to = forms.DateField(label=_("公示截止"), required=False, widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {"notice_from": today, "notice_to": today + dt.timedelta(days=6)})
        super().__init__(*args, **kwargs)


class AdjustForm(StepForm):
    level = forms.ChoiceField(label=_("建档标准"), choices=FileLevel.choices)
    reason = forms.CharField(label=_("调整原因"), max_length=200, required=False, widget=NOTE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].initial = self.file.level


class CancelForm(StepForm):
    reason_code = forms.ChoiceField(label=_("注销原因"), choices=_blank(CancelReason.choices), required=False)
    reason = forms.CharField(label=_("注销说明"), max_length=200, required=False, widget=NOTE, help_text=_("原因为“其他”时必填"))


class AnnualReviewForm(StepForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    outcome = forms.ChoiceField(label=_("结论"), choices=_blank(AnnualReview.Outcome.choices), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False, widget=NOTE)
    level = forms.ChoiceField(label=_("建档标准（调整时）"), choices=_blank(FileLevel.choices), required=False)
    cancel_reason = forms.ChoiceField(label=_("注销原因（注销时）"), choices=_blank(CancelReason.choices), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class ContactForm(StepForm):
    cadre = forms.ModelChoiceField(label=_("帮扶联系人"), queryset=None, required=False, empty_label="—")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from .queries import contact_candidates

        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = contact_candidates(self.file)
        self.fields["cadre"].label_from_instance = lambda u: u.display_name


# ---- aid (帮扶资金) ---------------------------------------------------------------------------------


class AidForm(forms.Form):
    """An application for aid from a budget of the file's union or of a union above it. The amount
    is read as money here (the service takes fen); self-paid costs go to the service as typed, and
    the caps, the budget and the campaign's terms are the service's to refuse."""

    envelope = forms.ModelChoiceField(
        label=_("预算"),
        queryset=None,
        empty_label="—",
        error_messages={"required": _("请选择预算"), "invalid_choice": _("请从列表中选择预算")},
    )
    amount = forms.CharField(label=_("金额（元）"), max_length=20, error_messages={"required": _("请填写金额")})
    self_paid = forms.CharField(
        label=_("自付费用（元）"), max_length=20, required=False, help_text=_("按自付费用比例计算上限的项目（如医疗救助）填写")
    )
    fund_source = forms.ChoiceField(label=_("资金来源"))
    campaign = forms.ModelChoiceField(
        label=_("帮扶专项"),
        queryset=None,
        required=False,
        empty_label=_("（不属于专项）"),
        error_messages={"invalid_choice": _("请从列表中选择帮扶专项")},
    )

    def __init__(self, *args: Any, file: HardshipFile, **kwargs: Any) -> None:
        from gonghui.money import queries as money_queries
        from gonghui.money.models import FundSource

        super().__init__(*args, **kwargs)
        self.file = file
        envelope = self.fields["envelope"]
        envelope.queryset = money_queries.envelopes_for_org(file.org)
        envelope.label_from_instance = lambda e: (
            _("%(year)s年 %(programme)s · %(org)s · 余额%(remaining)s")
            % {
                "year": e.year,
                "programme": e.programme.name,
                "org": e.org.name,
                "remaining": yuan(e.remaining),
            }
        )
        self.fields["fund_source"].choices = FundSource.choices
        self.fields["fund_source"].initial = FundSource.OWN
        campaign = self.fields["campaign"]
        campaign.queryset = money_queries.campaigns_for_org(file.org, today=timezone.localdate())
        campaign.label_from_instance = lambda c: f"{c.name}（{c.starts_on:%Y-%m-%d}—{c.ends_on:%Y-%m-%d}） · {c.org.name}"

    def clean_amount(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["amount"])
        except InvalidAmount as e:
            raise forms.ValidationError(str(e)) from None


# ---- conflicts and standards ---------------------------------------------------------------------


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("协调结果"), max_length=200, required=False, widget=NOTE)


class StandardFilterForm(forms.Form):
    region_code = forms.CharField(label=_("行政区划代码（前几位）"), max_length=6, required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    area = forms.ChoiceField(label=_("城乡"), choices=[("", _("全部")), *Area.choices], required=False)


class StandardForm(forms.Form):
    region_code = forms.CharField(label=_("行政区划代码"), max_length=6, required=False)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    area = forms.ChoiceField(label=_("城乡"), choices=Area.choices)
    monthly = forms.CharField(label=_("月标准（元/人·月）"), max_length=20, required=False)

    def __init__(self, *args: Any, regions: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = regions
        self.fields["year"].initial = timezone.localdate().year

    def clean_region_code(self) -> str:
        code = self.cleaned_data["region_code"].strip()
        if code and not any(code.startswith(p) for p in self.regions):
            where = "、".join(f"{p}xxxx" for p in self.regions)
            raise forms.ValidationError(_("您只能录入本省的低保标准（行政区划代码以%(where)s开头）") % {"where": where})
        return code
