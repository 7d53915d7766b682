from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs import policy

from .models import TrainingPlan


class PlanForm(forms.Form):
    title = forms.CharField(label=_("培训名称"), max_length=100)
    batches = forms.IntegerField(label=_("分批数"), min_value=1, max_value=TrainingPlan.MAX_BATCHES, initial=2)
    source = forms.ChoiceField(label=_("名单来源"), choices=TrainingPlan.Source.choices, initial=TrainingPlan.Source.ROLL, widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("名单文件（.xlsx）"), required=False, help_text=_("选择“导入名单”时上传；列：姓名、身份证号、部门。可下载模板填写。")
    )
    activity = forms.ModelChoiceField(
        label=_("关联活动"), queryset=None, required=False, help_text=_("可选：每批对应该活动的一个场次，签到可转为参训记录")
    )

    def __init__(self, *args: Any, user: Any, org: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gonghui.activities.models import Activity
        from gonghui.lib.textrange import prefix_q

        self.fields["activity"].queryset = (
            Activity.objects.filter(prefix_q("organizer__path", org.path))
            .filter(policy.scope_q(user, "operate", field="organizer__path"))
            .exclude(status=Activity.Status.CANCELLED)
            .order_by("-created_at")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("source") == TrainingPlan.Source.UPLOAD and not data.get("file"):
            self.add_error("file", _("选择“导入名单”时请上传名单文件"))
        return data


class BatchForm(forms.Form):
    starts_on = forms.DateField(label=_("培训日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    session = forms.ModelChoiceField(label=_("活动场次"), queryset=None, required=False)

    def __init__(self, *args: Any, batch: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from gonghui.activities.models import Session

        plan = batch.plan
        qs = Session.objects.filter(activity_id=plan.activity_id, is_cancelled=False) if plan.activity_id else Session.objects.none()
        self.fields["session"].queryset = qs
        if not plan.activity_id:
            del self.fields["session"]


class AttendanceForm(forms.Form):
    attended = forms.BooleanField(required=False)
