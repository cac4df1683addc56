import re

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CommitteeMark, Feedback, FollowUp, GradeChoice, Tally
from .services import GradeEntry, SelfMutualEntry

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SelfMutualForm(forms.Form):
    self_done = forms.BooleanField(label=_("已个人自评"), required=False)
    self_points = forms.CharField(label=_("自评要点（可不填）"), max_length=300, required=False)
    mutual_done = forms.BooleanField(label=_("已党员互评"), required=False)
    mutual_points = forms.CharField(label=_("互评要点（可不填）"), max_length=300, required=False)


class TallyForm(forms.Form):
    issued = forms.IntegerField(label=_("发出票数"), min_value=0)
    returned = forms.IntegerField(label=_("收回票数"), min_value=0)
    invalid = forms.IntegerField(label=_("无效票数"), min_value=0, initial=0)
    mode = forms.ChoiceField(label=_("录入方式"), choices=Tally.Mode.choices, widget=forms.RadioSelect)


def _toggle():
    """Radios drawn as Bootstrap toggle buttons (`btn-check` + a label): the chosen grade lights up, one tap each."""
    return forms.RadioSelect(attrs={"class": "btn-check", "autocomplete": "off"})


class BallotForm(forms.Form):
    """One paper ballot: a grade per rated member (may be left blank) and the committee mark."""

    committee_mark = forms.ChoiceField(
        label=_("对支部委员会的评价"),
        choices=[("", "未评")] + CommitteeMark.choices,
        required=False,
        widget=_toggle(),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for m in members:
            self.fields[f"m{m.pk}"] = forms.ChoiceField(
                label=m.name,
                choices=[("", "未评")] + GradeChoice.choices,
                required=False,
                widget=_toggle(),
            )
            self.fields[f"n{m.pk}"] = forms.CharField(label=_("存在问题"), max_length=100, required=False)

    def rows(self):
        return [(m, self[f"m{m.pk}"], self[f"n{m.pk}"]) for m in self.members]

    def marks(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"m{m.pk}"] for m in self.members if self.cleaned_data[f"m{m.pk}"]}

    def notes(self) -> dict[int, str]:
        return {m.pk: self.cleaned_data[f"n{m.pk}"] for m in self.members if self.cleaned_data[f"n{m.pk}"]}


TOTAL_KEYS = ("excellent", "qualified", "basic", "unqualified")


class TotalsForm(forms.Form):
    satisfied = forms.IntegerField(label=_("满意"), min_value=0, initial=0)
    basic = forms.IntegerField(label=_("基本满意"), min_value=0, initial=0)
    unsatisfied = forms.IntegerField(label=_("不满意"), min_value=0, initial=0)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for m in members:
            for key, label in zip(TOTAL_KEYS, GradeChoice.labels, strict=True):
                self.fields[f"{key}_{m.pk}"] = forms.IntegerField(
                    label=f"{m.name} {label}",
                    min_value=0,
                    initial=0,
                    widget=forms.NumberInput(attrs={"size": 3}),
                )

    def rows(self):
        return [(m, [self[f"{k}_{m.pk}"] for k in TOTAL_KEYS]) for m in self.members]

    def totals(self) -> dict[int, dict[str, int]]:
        return {m.pk: {k: self.cleaned_data[f"{k}_{m.pk}"] for k in TOTAL_KEYS} for m in self.members}

    def committee(self) -> dict[str, int]:
        return {k: self.cleaned_data[k] for k in ("satisfied", "basic", "unsatisfied")}


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("评定等次"), choices=GradeChoice.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("评定意见"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    decided_on = forms.DateField(label=_("评定日期"), widget=DATE)
    reason = forms.CharField(label=_("变更理由（已反馈后修改须填写）"), max_length=200, required=False)


class FeedbackForm(forms.Form):
    given_on = forms.DateField(label=_("反馈日期"), widget=DATE)
    means = forms.ChoiceField(label=_("反馈方式"), choices=Feedback.Means.choices)
    by = forms.ModelChoiceField(label=_("反馈人"), queryset=None)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = members


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = [
            "commendation",
            "commended_on",
            "strengths",
            "hopes",
            "helper",
            "help_content",
            "check_on",
            "second_check_on",
            "help_result",
            "handling",
            "deadline",
            "progress",
        ]
        widgets = {f: DATE for f in ("commended_on", "check_on", "second_check_on", "deadline")}

    def __init__(self, *args, grade, members, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import FOLLOW_UP_FIELDS

        keep = FOLLOW_UP_FIELDS[grade.grade]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "helper" in self.fields:
            self.fields["helper"].queryset = members


# ---- whole-table pages (issue 13 "Fewer taps", issue 15 "member pages light at 500") ----
# One form over the whole table: rows are plain inputs named per member id (g12, o12, ...), not a Django form per
# row, so the page stays light at 500 members. The form reads every row on the page and every row posted for someone
# not on it (the service refuses those, and nothing is written); the rules are checked once, in the service.


def _posted_ids(data, pattern: str) -> set[int]:
    match = re.compile(pattern).fullmatch
    return {int(m.group(2)) for key in data if (m := match(key))}


class SelfMutualTableForm(forms.Form):
    """个人自评/党员互评 for the whole roster: s<id>, m<id> ticked, sp<id>, mp<id> short points."""

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members

    def entries(self) -> list[SelfMutualEntry]:
        data = self.data
        ids = [m.pk for m in self.members]
        ids += sorted(_posted_ids(data, r"(s|m|sp|mp)(\d+)") - set(ids))
        return [
            SelfMutualEntry(
                member_id=pk,
                self_done=bool(data.get(f"s{pk}")),
                mutual_done=bool(data.get(f"m{pk}")),
                self_points=data.get(f"sp{pk}", "").strip(),
                mutual_points=data.get(f"mp{pk}", "").strip(),
            )
            for pk in ids
        ]


class GradeTableForm(forms.Form):
    """组织评定 for the whole table: g<id> grade, o<id> 评定意见, r<id> 变更理由 (rows already fed back)."""

    decided_on = forms.DateField(
        label=_("评定日期（本次新评或改动的行）"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    # The tally's grade_version the table was read at: a save by someone else since then refuses this one whole.
    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members

    def entries(self) -> list[GradeEntry]:
        data = self.data
        ids = [m.pk for m in self.members]
        ids += sorted(_posted_ids(data, r"(g|o|r)(\d+)") - set(ids))
        return [
            GradeEntry(
                member_id=pk,
                grade=data.get(f"g{pk}", ""),
                opinion=data.get(f"o{pk}", ""),
                reason=data.get(f"r{pk}", ""),
            )
            for pk in ids
        ]


class FeedbackTableForm(forms.Form):
    """R5.6 for many members: the ticked rows (f=<id>, one per member) get one date, way and person."""

    given_on = forms.DateField(label=_("反馈日期"), widget=DATE)
    means = forms.ChoiceField(label=_("反馈方式"), choices=Feedback.Means.choices)
    by = forms.ModelChoiceField(label=_("反馈人"), queryset=None, empty_label=_("请选择反馈人"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = members
        self.fields["given_on"].widget.attrs["class"] = "form-control"
        for name in ("means", "by"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def member_ids(self) -> list[int]:
        return [int(v) for v in dict.fromkeys(self.data.getlist("f")) if v.isdigit()]
