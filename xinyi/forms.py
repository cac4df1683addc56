"""Forms of the pages that compose the apps: opening the next cycle."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CycleOpenForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2999)
    deadline = forms.DateField(
        label=_("完成期限"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    title = forms.CharField(label=_("名称"), max_length=80, required=False)
    materials = forms.CharField(
        label=_("必学内容（每行一项）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("已按上一年度填好，可增删修改。没有必学内容时，学习步骤的 R1.2 检查不能通过。"),
    )

    def clean_materials(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["materials"].splitlines()]
        lines = [line for line in lines if line]
        too_long = [line for line in lines if len(line) > 120]
        if too_long:
            raise forms.ValidationError(_("每项必学内容不超过120字：%(t)s") % {"t": too_long[0][:20] + "…"})
        return lines


class BranchOnboardForm(forms.Form):
    """A new branch of the township and its secretary (issue 12)."""

    name = forms.CharField(label=_("党支部名称"), max_length=80)
    kind = forms.ChoiceField(label=_("类型"))
    secretary = forms.CharField(label=_("书记姓名"), max_length=30)
    phone = forms.RegexField(
        label=_("书记手机号（可选，作登录名）"),
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("请填写 11 位手机号")},
    )
    username = forms.RegexField(
        label=_("登录名（可选；不填用手机号）"),
        regex=r"^[\w.@+-]{3,150}$",
        required=False,
        error_messages={"invalid": _("只能用字母、数字和 @.+-_，至少 3 位")},
    )

    def __init__(self, *args, **kwargs):
        from branch.models import Branch

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Branch.Kind.choices


class BranchRenameForm(forms.Form):
    name = forms.CharField(label=_("新名称"), max_length=80)
