"""Rectification (R6): measures and commitments, made public and filed, progress, and the reports over time.

Overdue (逾期) is not stored: it follows from the due date and the day one looks (see selectors.display_status).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch, Cycle, Member
from meetings.models import Problem, Talk

PHOTO_MAX_BYTES = 5 * 1024 * 1024


def validate_photo_size(file) -> None:
    from django.core.exceptions import ValidationError

    if file and file.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("照片不能超过 5 MB"))


class Means(models.TextChoices):
    """How the branch tells members and the masses (R6.2, R6.4)."""

    BOARD = "board", _("公示栏")
    GENERAL_MEETING = "general_meeting", _("党员大会")
    WECHAT = "wechat", _("微信群")
    BROADCAST = "broadcast", _("村广播")
    OTHER = "other", _("其他")


class Measure(models.Model):
    """R6.1: one measure of the committee, aimed at problems (R3) and opinions heard in talks (R2.2)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="measures"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="measures"
    )
    text = models.CharField(_("整改措施"), max_length=200)
    responsible = models.ForeignKey(
        Member, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="measures"
    )
    due_on = models.DateField(_("完成时限"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("针对的问题"), blank=True, related_name="measures"
    )
    talks = models.ManyToManyField(
        Talk, verbose_name=_("针对的谈话意见"), blank=True, related_name="measures"
    )
    created_on = models.DateField(_("制定日期"))
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.CharField(_("整改成效"), max_length=200, blank=True)
    photo = models.ImageField(
        _("照片"),
        upload_to="rectification/%Y/",
        blank=True,
        validators=[FileExtensionValidator(["jpg", "jpeg", "png"]), validate_photo_size],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["branch", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="done") & Q(closed_on__isnull=False))
                | (~Q(status="done") & Q(closed_on__isnull=True)),
                name="measure_closed_on_iff_done",
            ),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return reverse("rectification_measure_detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE

    def is_overdue_on(self, day: date) -> bool:
        return not self.is_done and self.due_on < day


class ProgressEntry(models.Model):
    """R6.3: a dated step on a measure (what was done)."""

    measure = models.ForeignKey(
        Measure, verbose_name=_("整改措施"), on_delete=models.CASCADE, related_name="progress"
    )
    done_on = models.DateField(_("日期"))
    text = models.CharField(_("进展情况"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["measure", "done_on", "pk"]

    def __str__(self):
        return f"{self.done_on:%Y-%m-%d} {self.text}"


class Commitment(models.Model):
    """R6.1: a member's promise (整改承诺), and by when."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="commitments"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="commitments"
    )
    text = models.CharField(_("承诺事项"), max_length=200)
    due_on = models.DateField(_("兑现时限"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改承诺")
        verbose_name_plural = _("整改承诺")
        ordering = ["member__name", "due_on", "pk"]

    def __str__(self):
        return f"{self.member}：{self.text}"


class Publicity(models.Model):
    """R6.2: when and how the measures were made public to members and the masses."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="rectification_publicity"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="rectification_publicity"
    )
    published_on = models.DateField(_("公开日期"))
    means = models.CharField(_("公开方式"), max_length=20, choices=Means.choices)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改措施公开")
        verbose_name_plural = _("整改措施公开")
        ordering = ["branch", "published_on", "pk"]

    def __str__(self):
        return f"{self.published_on:%Y-%m-%d} {self.get_means_display()}"


class Filing(models.Model):
    """R6.2: the measures filed (报备) with the township, its review, and the branch's answer."""

    class Status(models.TextChoices):
        FILED = "filed", _("已报备，待审阅")
        ACKNOWLEDGED = "acknowledged", _("镇党委已审阅")
        RETURNED = "returned", _("镇党委退回，待支部答复")
        ANSWERED = "answered", _("支部已答复，待重新报备")

    cycle = models.ForeignKey(Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="filings")
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="filings"
    )
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.FILED)
    filed_on = models.DateField(_("报备日期"))
    times_filed = models.PositiveSmallIntegerField(_("报备次数"), default=1)
    reviewed_on = models.DateField(_("审阅日期"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审阅人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.CharField(_("镇党委意见"), max_length=300, blank=True)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answer = models.CharField(_("支部答复"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改措施报备")
        verbose_name_plural = _("整改措施报备")
        ordering = ["branch", "cycle"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "branch"], name="one_filing_per_cycle_branch"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(comment=""), name="returned_has_comment"
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | ~Q(answer=""), name="answered_has_answer"
            ),
        ]

    def __str__(self):
        return f"{self.branch} {self.get_status_display()}"


class HalfYearReport(models.Model):
    """R6.4: within half a year of the meeting, the committee tells members and the masses how rectification went."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="half_year_reports"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="half_year_reports"
    )
    reported_on = models.DateField(_("通报日期"))
    means = models.CharField(_("通报方式"), max_length=20, choices=Means.choices)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("半年整改情况通报")
        verbose_name_plural = _("半年整改情况通报")
        ordering = ["branch", "cycle"]
        constraints = [models.UniqueConstraint(fields=["cycle", "branch"], name="one_half_year_report")]

    def __str__(self):
        return f"{self.branch} {self.reported_on:%Y-%m-%d}"


class QuarterlyReport(models.Model):
    """R6.5: a member reports, at a general meeting or a party-group meeting, how they kept their commitments."""

    class Venue(models.TextChoices):
        GENERAL_MEETING = "general_meeting", _("党员大会")
        GROUP_MEETING = "group_meeting", _("党小组会")

    QUARTERS = (1, 2, 3, 4)

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="quarterly_reports"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="quarterly_reports"
    )
    quarter = models.PositiveSmallIntegerField(
        _("会后第几季度"), choices=[(q, _("第%(q)d季度") % {"q": q}) for q in QUARTERS]
    )
    reported_on = models.DateField(_("报告日期"))
    venue = models.CharField(_("报告场合"), max_length=20, choices=Venue.choices)
    kept = models.CharField(_("兑现承诺情况"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党员季度承诺兑现报告")
        verbose_name_plural = _("党员季度承诺兑现报告")
        ordering = ["member__name", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "member", "quarter"], name="one_report_per_quarter"),
            models.CheckConstraint(condition=Q(quarter__gte=1) & Q(quarter__lte=4), name="quarter_1_to_4"),
        ]

    def __str__(self):
        return f"{self.member} 第{self.quarter}季度"


class Correction(models.Model):
    """R6.6: the township's 批评纠正 where rectification is perfunctory or stalls; the branch must answer."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="corrections"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="corrections"
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("涉及的整改措施"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrections",
    )
    issued_on = models.DateField(_("下达日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下达人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.CharField(_("批评纠正意见"), max_length=300)
    answered_on = models.DateField(_("答复日期"), null=True, blank=True)
    answer = models.CharField(_("支部答复"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("批评纠正")
        verbose_name_plural = _("批评纠正")
        ordering = ["branch", "issued_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(answered_on__isnull=True) & Q(answer=""))
                | (Q(answered_on__isnull=False) & ~Q(answer="")),
                name="correction_answer_with_date",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_answered(self) -> bool:
        return self.answered_on is not None
