"""Study (R1), heart-to-heart talks (R2), problems (R3) and the meeting itself (R4)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from branch.models import Branch, Cycle, Member, PartyGroup

# ---------------------------------------------------------------- R1 study


class RequiredMaterial(models.Model):
    """R1.2: what every branch must study in a cycle."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="materials"
    )
    title = models.CharField(_("学习内容"), max_length=120)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("必学内容")
        verbose_name_plural = _("必学内容")
        ordering = ["cycle", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["cycle", "title"], name="uniq_material_per_cycle")]

    def __str__(self):
        return self.title


class StudySession(models.Model):
    class Form(models.TextChoices):
        LECTURE = "lecture", _("领学宣讲")
        PARTY_CLASS = "party_class", _("党课辅导")
        SEMINAR = "seminar", _("座谈研讨")
        VIEWING = "viewing", _("观看")

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="study_sessions"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="study_sessions"
    )
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=60, blank=True)
    form = models.CharField(_("形式"), max_length=20, choices=Form.choices)
    leader = models.ForeignKey(
        Member, verbose_name=_("领学人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    materials = models.ManyToManyField(
        RequiredMaterial, verbose_name=_("必学内容"), blank=True, related_name="sessions"
    )
    other_content = models.CharField(_("其他学习内容"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("集中学习")
        verbose_name_plural = _("集中学习")
        ordering = ["branch", "held_on", "pk"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.get_form_display()}"


class StudyAttendance(models.Model):
    """R1.3: who attended; an absent member gets the materials promptly, by a flexible means."""

    class Delivery(models.TextChoices):
        HOME = "home", _("送学上门")
        WECHAT = "wechat", _("微信")
        PHONE = "phone", _("电话")
        WRITTEN = "written", _("书面")

    session = models.ForeignKey(
        StudySession, verbose_name=_("集中学习"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="study_attendance"
    )
    present = models.BooleanField(_("出席"), default=True)
    absence_reason = models.CharField(_("缺席原因"), max_length=60, blank=True)
    delivered_on = models.DateField(_("送学日期"), null=True, blank=True)
    delivery_method = models.CharField(_("送学方式"), max_length=20, choices=Delivery.choices, blank=True)
    delivered_by = models.ForeignKey(
        Member, verbose_name=_("送学人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("学习出勤")
        verbose_name_plural = _("学习出勤")
        ordering = ["session", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="uniq_study_attendance"),
            models.CheckConstraint(
                condition=Q(present=False) | (Q(delivered_on__isnull=True) & Q(delivery_method="")),
                name="study_delivery_only_for_absent",
            ),
        ]

    def __str__(self):
        return f"{self.member} {'出席' if self.present else '缺席'}"


# ---------------------------------------------------------------- R2 talks


class Talk(models.Model):
    """R2: one heart-to-heart talk between a committee member and another member."""

    class Means(models.TextChoices):
        FACE = "face", _("面谈")
        PHONE = "phone", _("电话")
        VIDEO = "video", _("视频")

    cycle = models.ForeignKey(Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="talks")
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="talks"
    )
    held_on = models.DateField(_("谈话日期"))
    by = models.ForeignKey(
        Member, verbose_name=_("谈话人（支委）"), on_delete=models.PROTECT, related_name="talks_given"
    )
    with_member = models.ForeignKey(
        Member, verbose_name=_("谈话对象"), on_delete=models.PROTECT, related_name="talks_received"
    )
    means = models.CharField(_("方式"), max_length=10, choices=Means.choices, default=Means.FACE)
    place = models.CharField(_("地点"), max_length=60, blank=True)
    opinions_on_branch = models.CharField(_("对支部工作的意见建议"), max_length=300, blank=True)
    opinions_on_committee = models.CharField(_("对班子成员的意见建议"), max_length=300, blank=True)
    member_situation = models.CharField(_("工作生活和思想状况"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        "auth.User",
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("谈心谈话")
        verbose_name_plural = _("谈心谈话")
        ordering = ["branch", "held_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(by=F("with_member")), name="talk_not_with_self"),
            models.UniqueConstraint(fields=["by", "with_member", "held_on"], name="uniq_talk_pair_per_day"),
        ]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.by} — {self.with_member}"


# ---------------------------------------------------------------- R3 problems


class Problem(models.Model):
    """R3: a problem the committee or a member found in themselves."""

    class Area(models.TextChoices):
        # R3.1 — the committee
        POLITICAL_LEAD = "c_political", _("发挥政治引领作用")
        CARRY_OUT = "c_carry_out", _("贯彻落实上级党组织工作部署")
        ORG_LIFE = "c_org_life", _("定期开展党的组织生活")
        EDUCATION = "c_education", _("严格党员日常教育管理监督")
        SERVE_MASSES = "c_masses", _("联系服务群众")
        WORK_STYLE = "c_style", _("改进工作作风")
        # R3.2 — members
        STUDY_THOUGHT = "m_study", _("学习贯彻习近平新时代中国特色社会主义思想")
        FOUR_TWO = "m_awareness", _("树牢“四个意识”、坚定“四个自信”、坚决做到“两个维护”")
        PROMISES = "m_promises", _("履职践诺")
        RESPONSIBILITY = "m_responsibility", _("担当作为")
        REAL_WORK = "m_real_work", _("真抓实干")
        DISCIPLINE = "m_discipline", _("遵规守纪")

    COMMITTEE_AREAS = (
        Area.POLITICAL_LEAD,
        Area.CARRY_OUT,
        Area.ORG_LIFE,
        Area.EDUCATION,
        Area.SERVE_MASSES,
        Area.WORK_STYLE,
    )
    MEMBER_AREAS = (
        Area.STUDY_THOUGHT,
        Area.FOUR_TWO,
        Area.PROMISES,
        Area.RESPONSIBILITY,
        Area.REAL_WORK,
        Area.DISCIPLINE,
    )

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="problems"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="problems"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("党员（空为支委会）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
    )
    area = models.CharField(_("方面"), max_length=20, choices=Area.choices)
    text = models.CharField(_("问题"), max_length=200)
    talks = models.ManyToManyField(
        Talk, verbose_name=_("来源谈话（R3.3）"), blank=True, related_name="problems"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("查摆问题")
        verbose_name_plural = _("查摆问题")
        ordering = ["branch", "member", "area", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(member__isnull=True) & Q(area__startswith="c_"))
                | (Q(member__isnull=False) & Q(area__startswith="m_")),
                name="problem_area_fits_owner",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_committee(self) -> bool:
        return self.member_id is None


# ---------------------------------------------------------------- R4 the meeting


class Meeting(models.Model):
    """The 组织生活会 of one branch in one cycle: a general meeting held in person (R0.2, R0.3).

    离退休, 流动党员, 非公有制经济组织 and 社会组织 branches may use the plan's simple flexible forms (R4.6, R7.1,
    `Branch.uses_flexible_forms`): the meeting held by party groups, each on its own day (MeetingGroupSession).
    There is no online form: "组织生活会和民主评议党员不宜在网上进行" (R0.3) holds for every branch.
    """

    class Form(models.TextChoices):
        # The stored values read as they are printed (notice, minutes, archive): "以党员大会的形式召开".
        GENERAL = "党员大会", _("党员大会（集中召开）")
        BY_GROUPS = "按党小组分别召开", _("按党小组分别召开（简便灵活方式）")

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="meetings"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="meetings"
    )
    planned_on = models.DateField(_("计划日期"))
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=60)
    form = models.CharField(_("形式"), max_length=20, choices=Form.choices, default=Form.GENERAL)
    # R4.5 preparation
    township_contacted_on = models.DateField(_("与镇党委沟通日期"), null=True, blank=True)
    township_agreed_on = models.DateField(_("商定的召开日期"), null=True, blank=True)
    township_agreed_form = models.CharField(_("商定的开法"), max_length=60, blank=True)
    township_invited = models.BooleanField(_("已邀请镇党委派员指导"), default=False)
    township_attendee = models.CharField(_("镇党委到会指导人员"), max_length=60, blank=True)
    members_notified_on = models.DateField(_("通知党员日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("组织生活会")
        verbose_name_plural = _("组织生活会")
        ordering = ["-cycle__year", "branch"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "branch"], name="one_meeting_per_cycle_branch"),
            models.CheckConstraint(
                condition=Q(township_contacted_on__isnull=True)
                | Q(held_on__isnull=True)
                | Q(township_contacted_on__lte=F("held_on")),
                name="meeting_after_township_contact",
            ),
        ]

    def __str__(self):
        return f"{self.branch} {self.cycle.year}年度组织生活会"

    @property
    def is_held(self) -> bool:
        return self.held_on is not None

    @property
    def meets_on(self):
        """The day the meeting is (or was) to be held: held, else agreed with the township, else planned."""
        return self.held_on or self.township_agreed_on or self.planned_on

    @property
    def by_groups(self) -> bool:
        return self.form == self.Form.BY_GROUPS

    @property
    def notified_in_advance(self) -> bool:
        """R4.5: members were told before the meeting day, not on it or after it."""
        return bool(self.members_notified_on and self.meets_on and self.members_notified_on < self.meets_on)


class MeetingGroupSession(models.Model):
    """R4.6, R7.1: one party group's part of a meeting held by groups (党小组分别召开): which group met, when, where.

    The meeting's own held date is the day the last group met; the roster is fixed on it (R7.2).
    """

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="group_sessions"
    )
    group = models.ForeignKey(
        PartyGroup, verbose_name=_("党小组"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("开会日期"))
    place = models.CharField(_("地点"), max_length=60)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党小组会")
        verbose_name_plural = _("党小组会")
        ordering = ["meeting", "held_on", "group__name"]
        constraints = [models.UniqueConstraint(fields=["meeting", "group"], name="one_session_per_group")]

    def __str__(self):
        return f"{self.group} {self.held_on:%Y-%m-%d}"


class MeetingAttendance(models.Model):
    """R4.6, R4.7: who attended, who was absent and why, who took part elsewhere."""

    class Status(models.TextChoices):
        PRESENT = "present", _("出席")
        ABSENT = "absent", _("缺席")
        ELSEWHERE = "elsewhere", _("在流入地党组织参加")
        LATER = "later", _("返乡后补课参加")
        # R4.6, R7.1: a 流动党员 of a flexible branch takes part where they now are (counted as taking part there).
        AWAY = "away", _("在外参加（简便灵活方式）")

    class AwayMeans(models.TextChoices):
        GROUP_THERE = "group_there", _("在所在地与本支部党员集中参加")
        WRITTEN = "written", _("书面提交自我批评和评议意见")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="meeting_attendance"
    )
    status = models.CharField(_("出席情况"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("缺席原因"), max_length=60, blank=True)
    elsewhere_org = models.CharField(_("参加的党组织"), max_length=80, blank=True)
    elsewhere_on = models.DateField(_("参加日期"), null=True, blank=True)
    away_means = models.CharField(_("在外参加方式"), max_length=20, choices=AwayMeans.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议出席")
        verbose_name_plural = _("会议出席")
        ordering = ["meeting", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="uniq_meeting_attendance"),
            models.CheckConstraint(condition=~Q(status="absent") | ~Q(reason=""), name="absence_has_reason"),
            models.CheckConstraint(
                condition=~Q(status="elsewhere") | (~Q(elsewhere_org="") & Q(elsewhere_on__isnull=False)),
                name="elsewhere_has_org_and_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="away")
                | (~Q(elsewhere_org="") & ~Q(away_means="") & Q(elsewhere_on__isnull=False)),
                name="away_has_place_means_and_date",
            ),
            models.CheckConstraint(
                condition=Q(status="away") | Q(away_means=""), name="away_means_only_away"
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.get_status_display()}"


class Speech(models.Model):
    """One point spoken at the meeting, in order: the minutes are generated from these (R4.1–R4.3)."""

    class Kind(models.TextChoices):
        REPORT = "report", _("书记述职")
        RECTIFICATION_REPORT = "rect_report", _("上年度整改落实情况")
        COMMITTEE_SELF = "c_self", _("支委自我批评")
        COMMITTEE_MUTUAL = "c_mutual", _("支委相互批评")
        MEMBER_SELF = "m_self", _("党员自我批评")
        MEMBER_MUTUAL = "m_mutual", _("党员相互批评")
        ON_COMMITTEE = "on_committee", _("党员评议支委会工作和作风")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("组织生活会"), on_delete=models.CASCADE, related_name="speeches"
    )
    order = models.PositiveIntegerField(_("发言顺序"))
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    speaker = models.ForeignKey(
        Member, verbose_name=_("发言人"), on_delete=models.PROTECT, related_name="speeches"
    )
    target = models.ForeignKey(
        Member,
        verbose_name=_("针对的人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="criticism_received",
    )
    matter = models.CharField(_("具体事项"), max_length=200)
    # R4.1, R6.3: the generated 上年度整改落实情况 as it stood when the 述职 was recorded, one line per row. The minutes
    # show this copy: what was reported stays what it was, whatever the rectification records do later.
    annex = models.TextField(_("述职所附上年度整改落实情况"), blank=True, default="")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议发言")
        verbose_name_plural = _("会议发言")
        ordering = ["meeting", "order"]
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="uniq_speech_order")]

    def __str__(self):
        return f"{self.order}. {self.speaker} {self.get_kind_display()}"

    @property
    def annex_lines(self) -> list[str]:
        return self.annex.splitlines()
