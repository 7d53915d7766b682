from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds import registry


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"))
    file = forms.FileField(label=_("Excel 文件（.xlsx）"))

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, k.sheet_name) for k in registry().values()]
