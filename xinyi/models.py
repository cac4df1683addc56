"""The township's ZIP of all its branches' archives (R7.2), built in the background; and the overview in admin (R7.1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from branch.models import Branch, Cycle, Township


class ArchiveBundle(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    ACTIVE = (Status.PENDING, Status.RUNNING)

    township = models.ForeignKey(
        Township, verbose_name=_("镇党委"), on_delete=models.CASCADE, related_name="archive_bundles"
    )
    cycle = models.ForeignKey(Cycle, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("已完成支部数"), default=0)
    total = models.PositiveSmallIntegerField(_("支部总数"), default=0)
    file = models.FileField(_("文件"), upload_to="archive_bundles/", blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # Touched when the worker starts and after each branch: an active bundle whose heartbeat is older than
    # settings.TASK_STALE_MINUTES lost its worker (killed, machine restarted) and is replaced (xinyi.tasks).
    heartbeat = models.DateTimeField(_("最近进展"), default=timezone.now)

    class Meta:
        verbose_name = _("档案打包")
        verbose_name_plural = _("档案打包")
        ordering = ["-created"]
        constraints = [
            # A ZIP asked twice while one is pending is the same ZIP: one task, not two.
            models.UniqueConstraint(
                fields=["township", "cycle"],
                condition=Q(status__in=["pending", "running"]),
                name="one_active_bundle_per_township_cycle",
            ),
        ]

    def __str__(self):
        return f"{self.township} {self.cycle.year}年度档案（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        return round(100 * self.progress / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class ArchiveRender(models.Model):
    """One rendering of an open year's archive PDF (R7.2), keyed by the state of the facts it shows (issue 15).

    `key` is the sha256 of the archive's HTML: the same records on the same reference day give the same HTML, so a
    download of an unchanged archive serves the stored file; any write that changes what the archive shows changes the
    key, and the next download renders again, in the background (xinyi.tasks.render_archive). A closed year's frozen
    archive (BranchCycle.archive) is the same idea with no expiry.
    """

    Status = ArchiveBundle.Status
    ACTIVE = ArchiveBundle.ACTIVE

    branch = models.ForeignKey(Branch, verbose_name=_("党支部"), on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(Cycle, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    day = models.DateField(_("档案日期"))
    key = models.CharField(_("内容指纹"), max_length=64, blank=True, db_index=True)
    file = models.FileField(_("文件"), upload_to="archives/rendered/", blank=True)
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64, blank=True)
    error = models.CharField(_("错误"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished = models.DateTimeField(_("完成时间"), null=True, blank=True)
    heartbeat = models.DateTimeField(_("最近进展"), default=timezone.now)

    class Meta:
        verbose_name = _("档案生成")
        verbose_name_plural = _("档案生成")
        ordering = ["-created"]
        constraints = [
            # Asked twice (two tabs, a reload, the secretary and the township at once) while one is being made: one task.
            models.UniqueConstraint(
                fields=["branch", "cycle"],
                condition=Q(status__in=["pending", "running"]),
                name="one_active_archive_render_per_branch_cycle",
            ),
        ]

    def __str__(self):
        return f"{self.branch} {self.cycle.year}年度档案（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class BranchOverview(Branch):
    """The township overview as an admin page (R7.1): a read-only view of Branch, no table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("支部进度总览")
        verbose_name_plural = _("支部进度总览")


class TemporaryPassword(models.Model):
    """A password the secretary or admin gave out (a new login, a reset): it must be changed at the next login.

    It holds the password hash it was issued as: once the user's hash differs, the user has chosen their own password
    (xinyi.middleware.TemporaryPasswordMiddleware clears the row then).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="temporary_password",
    )
    password_hash = models.CharField(_("临时密码（散列）"), max_length=128)
    issued_at = models.DateTimeField(_("发放时间"), default=timezone.now)

    class Meta:
        verbose_name = _("临时密码")
        verbose_name_plural = _("临时密码")

    def __str__(self):
        return f"{self.user} 的临时密码"
