"""Forms before the meeting (R1–R3). Layout and input only: the rules live in meetings.services.before."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from branch.models import Member

from ..models import Problem, RequiredMaterial, StudyAttendance, StudySession, Talk


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class StudySessionForm(forms.Form):
    """R1.1, R1.2: the session itself. Attendance is one tick per member of the roster (R1.3)."""

    held_on = forms.DateField(label=_("日期"), widget=DateInput())
    form = forms.ChoiceField(label=_("形式"), choices=StudySession.Form.choices)
    place = forms.CharField(label=_("地点"), max_length=60, required=False)
    leader = MemberChoiceField(label=_("领学人"), queryset=Member.objects.none(), required=False)
    materials = forms.ModelMultipleChoiceField(
        label=_("必学内容"),
        queryset=RequiredMaterial.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_content = forms.CharField(label=_("其他学习内容"), max_length=200, required=False)

    def __init__(self, *args, roster: list[Member], materials, **kwargs):
        super().__init__(*args, **kwargs)
        self.roster = roster
        self.fields["leader"].queryset = Member.objects.filter(pk__in=[m.pk for m in roster])
        self.fields["materials"].queryset = materials
        for m in roster:
            self.fields[f"present_{m.pk}"] = forms.BooleanField(label=m.name, required=False, initial=True)
            self.fields[f"reason_{m.pk}"] = forms.CharField(
                label=_("缺席原因"), max_length=60, required=False
            )

    def attendance_rows(self):
        """(member, present field, reason field) for the roster table."""
        return [(m, self[f"present_{m.pk}"], self[f"reason_{m.pk}"]) for m in self.roster]

    def present_and_absent(self) -> tuple[list[Member], dict[Member, str]]:
        present, absent = [], {}
        for m in self.roster:
            if self.cleaned_data.get(f"present_{m.pk}"):
                present.append(m)
            else:
                absent[m] = self.cleaned_data.get(f"reason_{m.pk}", "")
        return present, absent


class DeliveryForm(forms.Form):
    """R1.3: when, how and by whom an absent member got the materials."""

    delivered_on = forms.DateField(label=_("送学日期"), widget=DateInput())
    delivery_method = forms.ChoiceField(label=_("送学方式"), choices=StudyAttendance.Delivery.choices)
    delivered_by = MemberChoiceField(label=_("送学人"), queryset=Member.objects.none())

    def __init__(self, *args, roster_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered_by"].queryset = roster_qs


class TalkForm(forms.Form):
    """R2.1, R2.2: the facts are required; the notes are short and optional (R0.4)."""

    by = MemberChoiceField(label=_("谈话人（支委）"), queryset=Member.objects.none())
    with_member = MemberChoiceField(label=_("谈话对象"), queryset=Member.objects.none())
    held_on = forms.DateField(label=_("谈话日期"), widget=DateInput())
    means = forms.ChoiceField(label=_("方式"), choices=Talk.Means.choices, initial=Talk.Means.FACE)
    place = forms.CharField(label=_("地点"), max_length=60, required=False)
    opinions_on_branch = forms.CharField(
        label=_("对支部工作的意见建议"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    opinions_on_committee = forms.CharField(
        label=_("对班子成员的意见建议"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    member_situation = forms.CharField(
        label=_("工作生活和思想状况"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, committee_qs, roster_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = committee_qs
        self.fields["with_member"].queryset = roster_qs


def _area_choices(owner: str):
    committee = [(a.value, a.label) for a in Problem.Area if a.value in Problem.COMMITTEE_AREAS]
    member = [(a.value, a.label) for a in Problem.Area if a.value in Problem.MEMBER_AREAS]
    if owner == "committee":
        return committee
    if owner == "member":
        return member
    return [(_("支委会（依据R3.1）"), committee), (_("党员个人（依据R3.2）"), member)]


class ProblemForm(forms.Form):
    """R3.1 / R3.2: a problem, owned by the committee (no member) or by one member."""

    member = MemberChoiceField(
        label=_("问题属于"), queryset=Member.objects.none(), required=False, empty_label=_("支委会")
    )
    area = forms.ChoiceField(label=_("方面"))
    text = forms.CharField(label=_("问题"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, roster_qs=None, owner: str = "any", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _area_choices(owner)
        if roster_qs is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = roster_qs
