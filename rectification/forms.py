"""Forms of the rectification pages: input only; the rules are in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branch.models import Member

from .models import PHOTO_MAX_BYTES, Means, QuarterlyReport


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ProblemChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        owner = obj.member.name if obj.member_id else "支委会"
        return f"【{owner}·{obj.get_area_display()}】{obj.text}"


class TalkChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        heard = "；".join(t for t in (obj.opinions_on_branch, obj.opinions_on_committee) if t)
        return f"【{obj.held_on:%m-%d} {obj.by.name}与{obj.with_member.name}谈话】{heard}"


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MeasureForm(forms.Form):
    text = forms.CharField(label=_("整改措施（做什么）"), max_length=200)
    responsible = MemberChoice(label=_("责任人"), queryset=Member.objects.none())
    due_on = forms.DateField(label=_("完成时限"), widget=DateInput())
    problems = ProblemChoice(
        label=_("针对的问题（R3）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    talks = TalkChoice(
        label=_("针对的谈心谈话意见（R2.2）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, members, problems, talks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = members
        self.fields["problems"].queryset = problems
        self.fields["talks"].queryset = talks


class ProgressForm(forms.Form):
    done_on = forms.DateField(label=_("日期"), widget=DateInput())
    text = forms.CharField(label=_("做了什么"), max_length=200)


class CloseForm(forms.Form):
    closed_on = forms.DateField(label=_("完成日期"), widget=DateInput())
    evidence = forms.CharField(label=_("整改成效（改变了什么）"), max_length=200)
    photo = forms.ImageField(label=_("照片（可选，jpg/png，5 MB 以内）"), required=False)

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > PHOTO_MAX_BYTES:
            raise forms.ValidationError(_("照片不能超过 5 MB"))
        return photo


class CommitmentForm(forms.Form):
    member = MemberChoice(label=_("党员"), queryset=Member.objects.none())
    text = forms.CharField(label=_("承诺事项"), max_length=200)
    due_on = forms.DateField(label=_("兑现时限"), widget=DateInput())

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members


class PublicityForm(forms.Form):
    published_on = forms.DateField(label=_("公开日期"), widget=DateInput())
    means = forms.ChoiceField(label=_("公开方式"), choices=Means.choices)
    note = forms.CharField(label=_("说明（可选）"), max_length=100, required=False)


class FilingForm(forms.Form):
    filed_on = forms.DateField(label=_("报备日期"), widget=DateInput())


class AnswerForm(forms.Form):
    answered_on = forms.DateField(label=_("答复日期"), widget=DateInput())
    answer = forms.CharField(label=_("答复"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class HalfYearForm(forms.Form):
    reported_on = forms.DateField(label=_("通报日期"), widget=DateInput())
    means = forms.ChoiceField(label=_("通报方式"), choices=Means.choices)
    note = forms.CharField(label=_("说明（可选）"), max_length=100, required=False)


class QuarterlyForm(forms.Form):
    member = MemberChoice(label=_("党员"), queryset=Member.objects.none())
    quarter = forms.TypedChoiceField(
        label=_("会后第几季度"), coerce=int, choices=[(q, f"第{q}季度") for q in QuarterlyReport.QUARTERS]
    )
    reported_on = forms.DateField(label=_("报告日期"), widget=DateInput())
    venue = forms.ChoiceField(label=_("报告场合"), choices=QuarterlyReport.Venue.choices)
    kept = forms.CharField(label=_("兑现承诺情况"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is None:  # the member reports for themself on /me/
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members


class ReviewForm(forms.Form):
    on = forms.DateField(label=_("审阅日期"), widget=DateInput())
    comment = forms.CharField(
        label=_("意见（退回时必填）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CorrectionForm(forms.Form):
    issued_on = forms.DateField(label=_("下达日期"), widget=DateInput())
    text = forms.CharField(label=_("批评纠正意见"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


REASON_LABEL = _("修改理由（已公开、已报备或已报告的记录须填写）")


class MeasureEditForm(MeasureForm):
    reason = forms.CharField(label=REASON_LABEL, max_length=100, required=False)


class CommitmentEditForm(forms.Form):
    text = forms.CharField(label=_("承诺事项"), max_length=200)
    due_on = forms.DateField(label=_("兑现时限"), widget=DateInput())
    reason = forms.CharField(label=REASON_LABEL, max_length=100, required=False)


class PublicityEditForm(PublicityForm):
    reason = forms.CharField(label=REASON_LABEL, max_length=100, required=False)


class DeleteForm(forms.Form):
    reason = forms.CharField(label=_("删除理由"), max_length=100, required=False)
