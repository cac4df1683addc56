"""Forms for the roster and the committee: layout and parsing only; every rule is in services."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Branch, CommitteePost, Member

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "education",
            "joined_on",
            "status",
            "full_member_on",
            "group",
            "phone",
            "is_mobile",
            "mobile_location",
            "is_veteran",
            "is_hardship",
            "is_health_issue",
            "is_disciplined",
            "is_leading_cadre",
            "is_retired",
        ]
        widgets = {"birth_date": DATE, "joined_on": DATE, "full_member_on": DATE}

    # R5.3: kept per cycle (branch.Participant), for the cycle of the page's year.
    stars = forms.IntegerField(label=_("本年度星级"), min_value=0, max_value=5, required=False)
    points = forms.IntegerField(label=_("本年度积分"), required=False)

    def __init__(self, *args, branch: Branch, cycle=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.branch = branch
        self.fields["group"].queryset = branch.groups.all()
        if cycle is not None:
            self.fields["stars"].label = _("%(year)s年度星级") % {"year": cycle.year}
            self.fields["points"].label = _("%(year)s年度积分") % {"year": cycle.year}
            if self.instance.pk:
                from .selectors import participation_of

                p = participation_of(cycle=cycle, member=self.instance)
                if p is not None:
                    self.initial["stars"], self.initial["points"] = p.stars, p.points


class LeaveForm(forms.Form):
    reason = forms.ChoiceField(label=_("原因"), choices=Member.LeftReason.choices, widget=forms.RadioSelect)
    on = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate)


class PostAssignForm(forms.Form):
    member = forms.ModelChoiceField(label=_("党员"), queryset=Member.objects.none())
    post = forms.ChoiceField(label=_("职务"), choices=CommitteePost.Post.choices)
    term_start = forms.DateField(label=_("任期开始"), widget=DATE)
    term_end = forms.DateField(label=_("任期结束"), widget=DATE, required=False)

    def __init__(self, *args, branch: Branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Member.objects.filter(branch=branch).active().order_by("name")


class PostEndForm(forms.Form):
    on = forms.DateField(label=_("任期结束日期"), widget=DATE, initial=timezone.localdate)


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("名册文件（.xlsx）"))


def add_service_errors(form: forms.Form, error: ValidationError, *, on_top=()) -> None:
    """Show a service's ValidationError on the form; errors on fields the form lacks go on top.

    Every view maps a service's refusal with this one function. Errors on fields named in `on_top` go above the form
    too (a checkbox list with no choices would hide them).
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = field if field in form.fields and field not in (NON_FIELD_ERRORS, *on_top) else None
        for message in messages:
            form.add_error(target, message)
