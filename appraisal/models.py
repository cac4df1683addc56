"""The democratic appraisal (R5): self and mutual appraisal, the unsigned ballot and its tally, grades and what follows.

Secrecy of the ballot (R5.3 norm): BallotSheet and BallotMark hold no voter, no user who typed them, no timestamp and no
history table (django-simple-history would record a user and a time for each row), and their ids are random, not counted
up: nothing in the database tells which sheet was typed first or last, so consecutive rows cannot be read as one paper.
Entering a ballot updates the tally's committee counts without a history row; "undo the last ballot" is remembered by the
teller's browser (appraisal.views), not here. The tally (Tally) is one row per branch and cycle, gets one history row with
its final counts when the count is closed, and doubles as the row the grading service locks so that the R5.5 cap holds
under concurrent saves.
"""

import secrets

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch, Cycle, Member
from meetings.models import Meeting


class GradeChoice(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class CommitteeMark(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class SelfMutual(models.Model):
    """R5.1/R5.2: that 个人自评 and 党员互评 took place for a member, with optional short points (R0.4)."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="self_mutual"
    )
    self_done = models.BooleanField(_("已个人自评"), default=False)
    self_points = models.CharField(_("自评要点"), max_length=300, blank=True)
    mutual_done = models.BooleanField(_("已党员互评"), default=False)
    mutual_points = models.CharField(_("互评要点"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("个人自评和党员互评")
        verbose_name_plural = _("个人自评和党员互评")
        ordering = ["cycle", "member__name"]
        constraints = [models.UniqueConstraint(fields=["cycle", "member"], name="uniq_self_mutual")]

    def __str__(self):
        return f"{self.member} 自评互评"


class Tally(models.Model):
    """民主测评统计: ballots issued/returned/valid/invalid at the meeting, entered ballot by ballot or as totals."""

    class Mode(models.TextChoices):
        BALLOTS = "ballots", _("逐张录入")
        TOTALS = "totals", _("录入汇总数")

    cycle = models.ForeignKey(Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("组织生活会"), on_delete=models.PROTECT, related_name="+"
    )
    mode = models.CharField(_("录入方式"), max_length=10, choices=Mode.choices, default=Mode.BALLOTS)
    issued = models.PositiveIntegerField(_("发出票数"))
    returned = models.PositiveIntegerField(_("收回票数"))
    valid = models.PositiveIntegerField(_("有效票数"))
    invalid = models.PositiveIntegerField(_("无效票数"), default=0)
    # R5.9: the members' marks on the committee. In ballot mode the service recomputes them from the sheets.
    committee_satisfied = models.PositiveIntegerField(_("对支委会满意"), default=0)
    committee_basic = models.PositiveIntegerField(_("对支委会基本满意"), default=0)
    committee_unsatisfied = models.PositiveIntegerField(_("对支委会不满意"), default=0)
    is_closed = models.BooleanField(_("计票完成"), default=False)
    # Bumped by every grade save: the first write of the grading transaction, so SQLite serialises it too (R5.5).
    grade_version = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["grade_version"])

    class Meta:
        verbose_name = _("民主测评统计")
        verbose_name_plural = _("民主测评统计")
        ordering = ["-cycle__year", "branch"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "branch"], name="one_tally_per_cycle_branch"),
            models.CheckConstraint(condition=Q(returned__lte=F("issued")), name="tally_returned_le_issued"),
            models.CheckConstraint(
                condition=Q(valid=F("returned") - F("invalid")), name="tally_valid_plus_invalid_is_returned"
            ),
            models.CheckConstraint(
                condition=Q(
                    committee_satisfied__lte=F("valid") - F("committee_basic") - F("committee_unsatisfied")
                ),
                name="tally_committee_marks_le_valid",
            ),
        ]

    def __str__(self):
        return f"{self.branch} {self.cycle.year}年度民主测评"

    @property
    def committee_marked(self) -> int:
        return self.committee_satisfied + self.committee_basic + self.committee_unsatisfied


def random_id() -> int:
    """A primary key that says nothing about when its row was written (an autoincrement id is the entry order)."""
    return secrets.randbelow(2**63 - 1) + 1


class BallotSheet(models.Model):
    """One valid paper ballot as the tellers read it. Never a voter: no user, no time, no order (see module doc)."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    tally = models.ForeignKey(
        Tally, verbose_name=_("民主测评统计"), on_delete=models.CASCADE, related_name="sheets"
    )
    committee_mark = models.CharField(
        _("对支委会的评价"), max_length=12, choices=CommitteeMark.choices, blank=True
    )

    class Meta:
        verbose_name = _("测评票")
        verbose_name_plural = _("测评票")
        ordering = ["tally", "id"]

    def __str__(self):
        return str(_("测评票"))


class BallotMark(models.Model):
    """The mark one ballot gives one rated member (and an optional note of problems)."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    sheet = models.ForeignKey(
        BallotSheet, verbose_name=_("测评票"), on_delete=models.CASCADE, related_name="marks"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("被测评党员"), on_delete=models.PROTECT, related_name="+"
    )
    grade = models.CharField(_("测评等次"), max_length=12, choices=GradeChoice.choices)
    note = models.CharField(_("存在问题"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("测评票评价")
        verbose_name_plural = _("测评票评价")
        constraints = [models.UniqueConstraint(fields=["sheet", "member"], name="uniq_mark_per_sheet_member")]

    def __str__(self):
        return f"{self.member} {self.get_grade_display()}"


class TallyTotal(models.Model):
    """Totals per rated member when the tellers counted on paper (mode 'totals')."""

    tally = models.ForeignKey(
        Tally, verbose_name=_("民主测评统计"), on_delete=models.CASCADE, related_name="totals"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("被测评党员"), on_delete=models.PROTECT, related_name="+"
    )
    excellent = models.PositiveIntegerField(_("优秀"), default=0)
    qualified = models.PositiveIntegerField(_("合格"), default=0)
    basic = models.PositiveIntegerField(_("基本合格"), default=0)
    unqualified = models.PositiveIntegerField(_("不合格"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("测评汇总数")
        verbose_name_plural = _("测评汇总数")
        constraints = [models.UniqueConstraint(fields=["tally", "member"], name="uniq_total_per_member")]

    def __str__(self):
        return f"{self.member} 测评汇总"


class Grade(models.Model):
    """R5.4 组织评定: the committee's grade and determination for one full member. History kept (who, when, before, after)."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="+")
    branch = models.ForeignKey(Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="grades"
    )
    grade = models.CharField(_("评定等次"), max_length=12, choices=GradeChoice.choices)
    opinion = models.CharField(_("评定意见"), max_length=200)
    decided_on = models.DateField(_("评定日期"))
    decided_by = models.ForeignKey(
        Member,
        verbose_name=_("记录人（支委）"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    change_reason = models.CharField(_("变更理由"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("组织评定")
        verbose_name_plural = _("组织评定")
        ordering = ["branch", "member__name"]
        constraints = [models.UniqueConstraint(fields=["cycle", "member"], name="one_grade_per_cycle_member")]

    def __str__(self):
        return f"{self.member} {self.get_grade_display()}"


class Feedback(models.Model):
    """R5.6: the determination fed back to the member: when, how, by whom."""

    class Means(models.TextChoices):
        FACE = "face", _("当面")
        PHONE = "phone", _("电话")
        VISIT = "visit", _("上门")
        WECHAT = "wechat", _("微信")

    grade = models.OneToOneField(
        Grade, verbose_name=_("组织评定"), on_delete=models.CASCADE, related_name="feedback"
    )
    given_on = models.DateField(_("反馈日期"))
    means = models.CharField(_("反馈方式"), max_length=10, choices=Means.choices, default=Means.FACE)
    by = models.ForeignKey(Member, verbose_name=_("反馈人"), on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评定反馈")
        verbose_name_plural = _("评定反馈")

    def __str__(self):
        return f"{self.grade.member} 反馈"


class FollowUp(models.Model):
    """R5.7 what follows a grade, one row per grade; the fields that apply depend on the grade.

    优秀: commendation; 合格: strengths and hopes; 基本合格: help plan (who, what, check dates, result);
    不合格: handling (限期改正 with deadline / 劝其退党 / 除名) and its progress.
    """

    class Handling(models.TextChoices):
        CORRECT = "correct", _("限期改正")
        PERSUADE = "persuade", _("劝其退党")
        EXPEL = "expel", _("除名")

    grade = models.OneToOneField(
        Grade, verbose_name=_("组织评定"), on_delete=models.CASCADE, related_name="follow_up"
    )
    commendation = models.CharField(_("表扬褒奖"), max_length=200, blank=True)
    commended_on = models.DateField(_("表扬日期"), null=True, blank=True)
    strengths = models.CharField(_("肯定的优点"), max_length=200, blank=True)
    hopes = models.CharField(_("希望和要求"), max_length=200, blank=True)
    helper = models.ForeignKey(
        Member, verbose_name=_("帮扶人"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    help_content = models.CharField(_("帮扶内容"), max_length=200, blank=True)
    check_on = models.DateField(_("第一次检查日期"), null=True, blank=True)
    second_check_on = models.DateField(_("第二次检查日期"), null=True, blank=True)
    help_result = models.CharField(_("帮扶结果"), max_length=200, blank=True)
    handling = models.CharField(_("组织处置"), max_length=10, choices=Handling.choices, blank=True)
    deadline = models.DateField(_("改正期限"), null=True, blank=True)
    progress = models.CharField(_("处置进展"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评定后续")
        verbose_name_plural = _("评定后续")
        constraints = [
            models.CheckConstraint(
                condition=~Q(handling="correct") | Q(deadline__isnull=False), name="correct_has_deadline"
            ),
        ]

    def __str__(self):
        return f"{self.grade.member} 后续"
