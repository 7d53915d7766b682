from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RoleGrant


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class GrantForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    role = forms.ChoiceField(
        label=_("角色"),
        choices=[(r, label) for r, label in RoleGrant.Role.choices if r not in ("alliance_coord", "worker")],
    )
    can_reveal = forms.BooleanField(label=_("可查看完整证件号和手机号"), required=False)
