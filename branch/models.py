"""Organisations, members, committee posts, cycles and the scope of each login."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class City(models.Model):
    """市委 (通辽市): sees every banner below it, read-only (issue 12)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("市委")
        verbose_name_plural = _("市委")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Banner(models.Model):
    """旗/县委 (奈曼旗): sees every township below it, read-only, and may open a year for all of them (issue 12)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    city = models.ForeignKey(City, verbose_name=_("所属市"), on_delete=models.PROTECT, related_name="banners")

    class Meta:
        verbose_name = _("旗（县）委")
        verbose_name_plural = _("旗（县）委")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Township(models.Model):
    """镇/苏木党委: the superior that guides and reviews its branches (R7.1)."""

    name = models.CharField(_("名称"), max_length=60, unique=True)
    banner = models.ForeignKey(
        Banner, verbose_name=_("所属旗县"), on_delete=models.PROTECT, related_name="townships"
    )

    class Meta:
        verbose_name = _("镇（苏木）党委")
        verbose_name_plural = _("镇（苏木）党委")
        ordering = ["name"]

    def __str__(self):
        return self.name


class BranchQuerySet(models.QuerySet):
    def active(self):
        """Branches not retired."""
        return self.filter(retired_on__isnull=True)

    def in_year(self, year: int):
        """Branches that take part in a year: not retired, or retired after that year ended."""
        return self.filter(models.Q(retired_on__isnull=True) | models.Q(retired_on__year__gt=year))


class Branch(models.Model):
    class Kind(models.TextChoices):
        RURAL = "rural", _("农村")
        COMMUNITY = "community", _("社区")
        ORGAN = "organ", _("机关")
        NONPUBLIC = "nonpublic", _("非公有制经济组织")
        SOCIAL = "social", _("社会组织")
        RETIRED = "retired", _("离退休")
        MOBILE = "mobile", _("流动党员")

    name = models.CharField(_("名称"), max_length=80, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.RURAL)
    township = models.ForeignKey(
        Township, verbose_name=_("上级党委"), on_delete=models.PROTECT, related_name="branches"
    )
    # 撤销 (retired by the township, issue 12): the records and archives stay, read-only; no later year includes it.
    retired_on = models.DateField(_("撤销日期"), null=True, blank=True)

    objects = BranchQuerySet.as_manager()

    class Meta:
        verbose_name = _("党支部")
        verbose_name_plural = _("党支部")
        ordering = ["township__name", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("branch_detail", args=[self.pk])

    @property
    def uses_flexible_forms(self) -> bool:
        """R4.6/R7.1: these branch types may use simple, flexible forms."""
        return self.kind in {self.Kind.NONPUBLIC, self.Kind.SOCIAL, self.Kind.RETIRED, self.Kind.MOBILE}


class PartyGroup(models.Model):
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("名称"), max_length=40)

    class Meta:
        verbose_name = _("党小组")
        verbose_name_plural = _("党小组")
        ordering = ["branch", "name"]
        constraints = [models.UniqueConstraint(fields=["branch", "name"], name="uniq_group_name_per_branch")]

    def __str__(self):
        return self.name


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(left_on__isnull=True)

    def full(self):
        return self.filter(status=Member.Status.FULL)

    def probationary(self):
        return self.filter(status=Member.Status.PROBATIONARY)

    def focus(self):
        q = Q()
        for field in Member.FOCUS_FIELDS:
            q |= Q(**{field: True})
        return self.filter(q)


class Member(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class Status(models.TextChoices):
        FULL = "full", _("正式党员")
        PROBATIONARY = "probationary", _("预备党员")

    class LeftReason(models.TextChoices):
        TRANSFERRED = "transferred", _("转出")
        DECEASED = "deceased", _("去世")

    # The five focus categories of R2.3, in the order the plan names them.
    FOCUS_FIELDS = ("is_mobile", "is_veteran", "is_hardship", "is_health_issue", "is_disciplined")

    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=30)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"))
    education = models.CharField(_("学历"), max_length=20, blank=True)
    joined_on = models.DateField(_("入党日期"))
    status = models.CharField(_("党员类别"), max_length=20, choices=Status.choices, default=Status.FULL)
    full_member_on = models.DateField(_("转正日期"), null=True, blank=True)
    group = models.ForeignKey(
        PartyGroup,
        verbose_name=_("党小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    is_mobile = models.BooleanField(_("流动党员"), default=False)
    mobile_location = models.CharField(_("流动所在地"), max_length=80, blank=True)
    is_veteran = models.BooleanField(_("退役军人党员"), default=False)
    is_hardship = models.BooleanField(_("家庭生活困难党员"), default=False)
    is_health_issue = models.BooleanField(_("身心健康存在问题"), default=False)
    is_disciplined = models.BooleanField(_("受到纪律处分或组织处置"), default=False)
    is_leading_cadre = models.BooleanField(_("党员领导干部"), default=False)
    is_retired = models.BooleanField(_("离退休"), default=False)

    left_reason = models.CharField(_("离开原因"), max_length=20, choices=LeftReason.choices, blank=True)
    left_on = models.DateField(_("离开日期"), null=True, blank=True)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
    )

    history = HistoricalRecords()
    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["branch", "name", "birth_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "name", "birth_date"], name="uniq_member_name_birth_per_branch"
            ),
            models.CheckConstraint(
                condition=(Q(left_on__isnull=True) & Q(left_reason=""))
                | (Q(left_on__isnull=False) & ~Q(left_reason="")),
                name="member_left_reason_with_date",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("member_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    @property
    def is_full(self) -> bool:
        return self.status == self.Status.FULL

    @property
    def is_focus(self) -> bool:
        return any(getattr(self, f) for f in self.FOCUS_FIELDS)

    @property
    def focus_labels(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.FOCUS_FIELDS if getattr(self, f)]

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class CommitteePost(models.Model):
    class Post(models.TextChoices):
        SECRETARY = "secretary", _("书记")
        DEPUTY = "deputy", _("副书记")
        ORGANISATION = "organisation", _("组织委员")
        PUBLICITY = "publicity", _("宣传委员")
        DISCIPLINE = "discipline", _("纪检委员")

    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.CASCADE, related_name="posts"
    )
    member = models.ForeignKey(Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="posts")
    post = models.CharField(_("职务"), max_length=20, choices=Post.choices)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("支委职务")
        verbose_name_plural = _("支委职务")
        ordering = ["branch", "post", "term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gt=models.F("term_start")),
                name="post_term_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_post_display()} {self.member}"

    def is_current_on(self, day: date) -> bool:
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class Cycle(models.Model):
    """One year's 组织生活会和民主评议党员; the deadline is the plan's (R0.1).

    `township` is who issued it: a township opens a year for its own branches; NULL is a year opened for every branch
    (the demo's 2018, or one an admin opens). A branch's cycle of a year is its township's, else the common one.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    deadline = models.DateField(_("完成期限"))
    title = models.CharField(_("名称"), max_length=80, blank=True)
    township = models.ForeignKey(
        Township,
        verbose_name=_("开启单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cycles",
        help_text=_("留空表示面向所有镇党委"),
    )
    opened_at = models.DateTimeField(_("开启时间"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开启人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("年度组织生活会")
        verbose_name_plural = _("年度组织生活会")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["year", "township"], name="cycle_year_township_unique"),
            models.UniqueConstraint(
                fields=["year"], condition=Q(township__isnull=True), name="cycle_year_common_unique"
            ),
        ]

    def __str__(self):
        return self.title or f"{self.year}年度组织生活会和民主评议党员"

    def clean(self):
        if self.year and self.deadline and self.deadline < date(self.year + 1, 1, 1):
            raise ValidationError(
                {"deadline": _("完成期限须在%(next)s年1月1日或以后") % {"next": self.year + 1}}
            )

    @property
    def starts_on(self) -> date:
        """Work for a year's cycle may begin in that year (study, talks)."""
        return date(self.year, 1, 1)

    @property
    def tail_ends_on(self) -> date:
        """The rectification of a year runs into the next (R6.4 half-year, R6.5 quarterly reports): its time is up at
        the end of the year after the cycle's own."""
        return date(self.year + 1, 12, 31)


class BranchCycle(models.Model):
    """One branch's part in one cycle: whether it is open, closing or closed, and what was frozen when it closed."""

    class State(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSING = "closing", _("待镇党委确认关闭")
        CLOSED = "closed", _("已关闭")

    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="cycles"
    )
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="branch_cycles"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.OPEN)
    roster_fixed_on = models.DateField(_("名单确定日"), null=True, blank=True)
    close_requested_at = models.DateTimeField(_("申请关闭时间"), null=True, blank=True)
    close_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archive = models.FileField(_("封存档案"), upload_to="archives/frozen/", blank=True)
    archive_sha256 = models.CharField(_("档案SHA-256"), max_length=64, blank=True)
    checks = models.JSONField(_("关闭时的检查结果"), default=list, blank=True)

    class Meta:
        verbose_name = _("支部年度")
        verbose_name_plural = _("支部年度")
        ordering = ["branch", "-cycle__year"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "cycle"], name="branch_cycle_unique"),
        ]

    def __str__(self):
        return f"{self.branch} · {self.cycle.year}年度 · {self.get_state_display()}"

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED


class Participant(models.Model):
    """One member in one cycle's roster, as they stood in it (R7.2): a later transfer, 转正 or new member changes
    nothing here once the roster is fixed. 星级/积分 (R5.3) are kept per cycle."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("年度"), on_delete=models.PROTECT, related_name="participants"
    )
    branch = models.ForeignKey(Branch, verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="participations"
    )
    status = models.CharField(_("党员类别"), max_length=20, choices=Member.Status.choices)
    group = models.ForeignKey(
        PartyGroup,
        verbose_name=_("党小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_mobile = models.BooleanField(_("流动党员"), default=False)
    is_veteran = models.BooleanField(_("退役军人党员"), default=False)
    is_hardship = models.BooleanField(_("家庭生活困难党员"), default=False)
    is_health_issue = models.BooleanField(_("身心健康存在问题"), default=False)
    is_disciplined = models.BooleanField(_("受到纪律处分或组织处置"), default=False)
    is_leading_cadre = models.BooleanField(_("党员领导干部"), default=False)
    is_retired = models.BooleanField(_("离退休"), default=False)
    stars = models.PositiveSmallIntegerField(_("本年度星级"), null=True, blank=True)
    points = models.IntegerField(_("本年度积分"), null=True, blank=True)

    # What a participant copies from the member while the cycle's roster is not yet fixed.
    COPIED = ("status", "group_id") + Member.FOCUS_FIELDS + ("is_leading_cadre", "is_retired")

    class Meta:
        verbose_name = _("年度参评党员")
        verbose_name_plural = _("年度参评党员")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "member"], name="participant_cycle_member_unique"),
            models.CheckConstraint(
                condition=Q(stars__isnull=True) | Q(stars__lte=5), name="participant_stars_0_5"
            ),
        ]

    def __str__(self):
        return f"{self.cycle.year}年度 · {self.member}"

    def as_member(self) -> Member:
        """The member as they stood in this cycle: a copy of the row with the cycle's status, group and flags."""
        m = self.member
        for f in self.COPIED:
            setattr(m, f, getattr(self, f))
        if "group" in self._state.fields_cache:
            m.group = self.group
        m.stars, m.points = self.stars, self.points
        return m


class Scope(models.Model):
    """What one login may see and do. Exactly one scope per user (superusers need none)."""

    class Role(models.TextChoices):
        TOWNSHIP = "township", _("镇党委审核人")
        BANNER = "banner", _("旗县委审核人")
        CITY = "city", _("市委审核人")
        SECRETARY = "secretary", _("支部书记")
        COMMITTEE = "committee", _("支委委员")
        MEMBER = "member", _("党员")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), on_delete=models.CASCADE, related_name="scope"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    township = models.ForeignKey(
        Township, verbose_name=_("镇党委"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("党支部"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    banner = models.ForeignKey(
        Banner,
        verbose_name=_("旗（县）委"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    city = models.ForeignKey(
        City, verbose_name=_("市委"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("账号权限")
        verbose_name_plural = _("账号权限")
        constraints = [
            # Each role names exactly its own unit: a township, a banner, a city, or (the branch roles) a branch.
            models.CheckConstraint(
                condition=(
                    Q(role="township", township__isnull=False)
                    & Q(branch__isnull=True, banner__isnull=True, city__isnull=True)
                )
                | (
                    Q(role="banner", banner__isnull=False)
                    & Q(branch__isnull=True, township__isnull=True, city__isnull=True)
                )
                | (
                    Q(role="city", city__isnull=False)
                    & Q(branch__isnull=True, township__isnull=True, banner__isnull=True)
                )
                | (
                    Q(role__in=["secretary", "committee", "member"], branch__isnull=False)
                    & Q(township__isnull=True, banner__isnull=True, city__isnull=True)
                ),
                name="scope_fits_role_level",
            ),
        ]

    def __str__(self):
        where = self.township or self.branch or self.banner or self.city
        return f"{self.user} · {self.get_role_display()} · {where}"
