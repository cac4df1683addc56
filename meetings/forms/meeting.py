"""Forms of the meeting pages (R4). They only collect input; the rules live in meetings/services/meeting.py."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from branch.models import Member, PartyGroup

from ..models import Meeting, MeetingAttendance, Speech
from ..services.meeting import AttendanceEntry

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MeetingForm(forms.ModelForm):
    """Plan the meeting and record the preparation agreed with the township (R4.5)."""

    form = forms.ChoiceField(
        label=_("形式"),
        choices=[(Meeting.Form.GENERAL, _("党员大会"))],
        help_text=_("依据工作方案 R0.2：以党支部党员大会的形式召开"),
    )

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        # R4.6, R7.1: only 离退休, 流动党员, 非公有制经济组织 and 社会组织 branches are offered the flexible form.
        if branch.uses_flexible_forms:
            self.fields["form"].choices = Meeting.Form.choices
            self.fields["form"].help_text = _(
                "依据工作方案 R4.6、R7.1：本支部可以召开党员大会，也可以按党小组分别召开（各党小组分别登记日期和地点）"
            )

    class Meta:
        model = Meeting
        fields = [
            "planned_on",
            "place",
            "form",
            "township_contacted_on",
            "township_agreed_on",
            "township_agreed_form",
            "township_invited",
            "township_attendee",
            "members_notified_on",
        ]
        widgets = {
            "planned_on": DATE,
            "township_contacted_on": DATE,
            "township_agreed_on": DATE,
            "members_notified_on": DATE,
        }
        help_texts = {
            "township_agreed_form": _("例如：党员大会，会上开展民主评议党员"),
            "township_attendee": _("例如：八仙筒镇党委组织委员 韩志刚"),
        }


class GroupSessionForm(forms.Form):
    """One party group's session of a meeting held by groups (R4.6, R7.1)."""

    group = forms.ModelChoiceField(label=_("党小组"), queryset=PartyGroup.objects.none())
    held_on = forms.DateField(label=_("开会日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=60)

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = branch.groups.all()


class HoldForm(forms.Form):
    held_on = forms.DateField(label=_("召开日期"), widget=DATE)


class SpeechForm(forms.Form):
    """One point: who spoke, of what kind, about whom or what (R4.3: a concrete person or matter, not an essay)."""

    kind = forms.ChoiceField(label=_("类别"), choices=Speech.Kind.choices)
    speaker = forms.ModelChoiceField(label=_("发言人"), queryset=Member.objects.none())
    target = forms.ModelChoiceField(
        label=_("针对的人"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("相互批评必须选择批评的对象"),
    )
    matter = forms.CharField(
        label=_("具体事项"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("一两句话写明具体的人、具体的事，不写发言稿（R0.4）"),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speaker"].queryset = members
        self.fields["target"].queryset = members


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def attendance_entries(data, members: list[Member]) -> list[AttendanceEntry]:
    """One entry per member on the page from the posted radios and fields (status_<id>, reason_<id>, org_<id>, on_<id>,
    means_<id>)."""
    ids = {str(m.pk) for m in members}
    # Rows posted for someone not on the page are passed on too: the service refuses them by name.
    ids |= {
        key.split("_", 1)[1] for key in data if key.startswith("status_") and key.split("_", 1)[1].isdigit()
    }
    return [
        AttendanceEntry(
            member_id=int(pk),
            status=data.get(f"status_{pk}", ""),
            reason=data.get(f"reason_{pk}", ""),
            elsewhere_org=data.get(f"org_{pk}", ""),
            elsewhere_on=_day(data.get(f"on_{pk}", "")),
            away_means=data.get(f"means_{pk}", ""),
        )
        for pk in sorted(ids, key=int)
    ]


STATUS_CHOICES = MeetingAttendance.Status.choices
AWAY_MEANS_CHOICES = MeetingAttendance.AwayMeans.choices
