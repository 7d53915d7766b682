from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import policy
from .models import Org
from .services import EDITABLE_FIELDS


class OrgForm(forms.ModelForm):
    class Meta:
        model = Org
        fields = list(EDITABLE_FIELDS)
        widgets = {"established_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False

    def validate_unique(self) -> None:
        # Uniqueness is the service's rule (it names the field); the form checks types only.
        pass


class OrgMoveForm(forms.Form):
    target_code = forms.CharField(label=_("目标上级组织编码"), max_length=32)
    reason = forms.CharField(label=_("调整原因"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_target_code(self) -> Org:
        code = self.cleaned_data["target_code"].strip()
        # The target must be in the mover's own scope: the lookup itself is scoped.
        target = policy.orgs_user_can(self.user, "move").filter(code=code).first()
        if target is None:
            raise forms.ValidationError(_("在您的管理范围内没有找到该编码的组织"))
        return target


class OrgCloseForm(forms.Form):
    closed_on = forms.DateField(label=_("撤销日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("撤销原因"), max_length=200)
