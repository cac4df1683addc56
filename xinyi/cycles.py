"""Year after year: opening the next cycle, and a branch's cycle asked to close, sent back, and closed (frozen).

Closing renders the archive PDF once and keeps it with its sha256 and the rule checks of that moment; from then on every
download of that year's archive (xinyi.archive.archive_bytes) serves those stored bytes, and `cycle_status` prints the
stored checks. The cycle's records are read-only from then on (branch.access.cycle_write_refusal).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from branch import access
from branch import services as branch_services
from branch.checks import Status
from branch.models import Branch, BranchCycle, Cycle, Township
from branch.selectors import cycles_for_township, previous_cycle
from meetings.models import Meeting, RequiredMaterial
from meetings.services import before as before_services
from rectification import selectors as rect_selectors
from rectification.dates import today_for
from rectification.selectors import Owed

# The one "today" of a cycle: the real day, clamped to the end of its rectification year (so a cycle long past is seen
# as it stood then). progress, the dashboard, the overview and rectification all use it.
reference_day = today_for

STATE_LABELS = {
    BranchCycle.State.OPEN: "进行中",
    BranchCycle.State.CLOSING: "待确认关闭",
    BranchCycle.State.CLOSED: "已关闭",
}


def url_in_year(year: int, name: str, *args) -> str:
    """The address of a page under another year than the request's (e.g. the previous cycle's measures)."""
    path = reverse(name, args=args)
    prefix = get_script_prefix()
    rest = path[len(prefix) :] if path.startswith(prefix) else path.lstrip("/")
    base = re.sub(r"[12][0-9]{3}/$", "", prefix)
    return f"{base}{year}/{rest}"


# ---------------------------------------------------------------- opening the next year (R0.1, R1.2)


@dataclass(frozen=True)
class NextCycle:
    previous: Cycle | None
    year: int
    deadline: date
    title: str
    materials: list[str]


def issuer_cycles(township: Township | None):
    """The cycles that came before a new one of this issuer: a township's (its own and the common), or the common."""
    if township is None:
        return Cycle.objects.filter(township__isnull=True)
    return cycles_for_township(township_id=township.pk)


def next_cycle(*, township: Township | None) -> NextCycle:
    """What the page offers: the year after the newest, its deadline 20 March of the year after, last year's materials."""
    previous = issuer_cycles(township).order_by("-year").first()
    year = previous.year + 1 if previous else timezone.localdate().year
    materials = list(
        RequiredMaterial.objects.filter(cycle=previous).values_list("title", flat=True) if previous else []
    )
    return NextCycle(
        previous=previous,
        year=year,
        deadline=date(year + 1, 3, 20),
        title=f"{year}年度组织生活会和民主评议党员",
        materials=materials,
    )


def _materials_set(*, cycle: Cycle, titles: list[str]) -> int:
    seen = list(dict.fromkeys(t.strip() for t in titles if t.strip()))
    for order, title in enumerate(seen, start=1):
        m = RequiredMaterial(cycle=cycle, title=title, order=order)
        m.full_clean()
        m.save()
    return len(seen)


@transaction.atomic
def cycle_open(
    *,
    year: int,
    deadline: date,
    title: str = "",
    township: Township | None = None,
    by=None,
    materials: list[str] | None = None,
) -> Cycle:
    """Open a year (R0.1) with its required materials (R1.2): the titles given, else the previous cycle's."""
    previous = issuer_cycles(township).filter(year__lt=year).order_by("-year").first()
    cycle = branch_services.cycle_create(year=year, deadline=deadline, title=title, township=township, by=by)
    if materials is not None:
        _materials_set(cycle=cycle, titles=materials)
    elif previous is not None:
        before_services.materials_copy(source=previous, target=cycle)
    return cycle


def may_open(user, township: Township | None) -> bool:
    """A township reviewer opens their own township's year; an admin opens a common one."""
    role = access.role_of(user)
    if role == "admin":
        return township is None
    if role != access.Role.TOWNSHIP:
        return False
    return township is not None and access.scope_of(user).township_id == township.pk


# ---------------------------------------------------------------- what a cycle still owes (R6.4, R6.5, R6.1)


def owed(*, cycle: Cycle, branch: Branch, day: date) -> list[Owed]:
    return list(rect_selectors.owed(cycle=cycle, branch=branch, day=day))


def previous_owed(*, cycle: Cycle, branch: Branch, today: date | None = None) -> tuple[Cycle | None, list]:
    """The previous cycle and what it still owes, for the dashboard of this one; nothing once it is closed."""
    prev = previous_cycle(cycle=cycle, township_id=branch.township_id)
    if prev is None:
        return None, []
    if BranchCycle.objects.filter(branch=branch, cycle=prev, state=BranchCycle.State.CLOSED).exists():
        return prev, []
    return prev, owed(cycle=prev, branch=branch, day=reference_day(prev, today))


# ---------------------------------------------------------------- asking to close, sending back, closing


def _branch_cycle_locked(*, cycle: Cycle, branch: Branch) -> BranchCycle:
    bc = BranchCycle.objects.select_for_update().get_or_create(branch=branch, cycle=cycle)[0]
    cache = getattr(cycle, "_branch_cycles", None)
    if cache is not None:
        cache.pop(branch.pk, None)  # the per-request copy is stale once this one changes
    return bc


def _held_on(*, cycle: Cycle, branch: Branch) -> date | None:
    return (
        Meeting.objects.filter(cycle=cycle, branch=branch, held_on__isnull=False)
        .values_list("held_on", flat=True)
        .first()
    )


def close_refusal(*, cycle: Cycle, branch: Branch, today: date | None = None) -> str:
    """Why the cycle may not close yet, or "": its time is up, or its meeting is held and its rectification is done."""
    today = today or timezone.localdate()
    if today > cycle.tail_ends_on:
        return ""
    if _held_on(cycle=cycle, branch=branch) is None:
        return f"{cycle.year}年度的组织生活会尚未召开，不能关闭"
    left = owed(cycle=cycle, branch=branch, day=reference_day(cycle, today))
    if left:
        return f"整改尚未完成（{len(left)} 项）：" + "；".join(o.text for o in left[:3])
    return ""


def may_close(user, branch: Branch) -> bool:
    """The township reviewer of the branch's township, or an admin."""
    if access.role_of(user) == "admin":
        return True
    scope = access.scope_of(user)
    return (
        scope is not None and scope.role == access.Role.TOWNSHIP and scope.township_id == branch.township_id
    )


@transaction.atomic
def branch_cycle_request_close(*, cycle: Cycle, branch: Branch, by) -> BranchCycle:
    """The secretary asks the township to close the branch's cycle."""
    if not access.can_write_branch(by, branch):
        raise PermissionDenied("仅本支部书记可以申请关闭")
    bc = _branch_cycle_locked(cycle=cycle, branch=branch)
    if bc.state != BranchCycle.State.OPEN:
        raise ValidationError(f"{cycle.year}年度{STATE_LABELS[bc.state]}，不能再次申请")
    refusal = close_refusal(cycle=cycle, branch=branch)
    if refusal:
        raise ValidationError(refusal)
    bc.state = BranchCycle.State.CLOSING
    bc.close_requested_at = timezone.now()
    bc.close_requested_by = by
    bc.save(update_fields=["state", "close_requested_at", "close_requested_by"])
    return bc


@transaction.atomic
def branch_cycle_return(*, cycle: Cycle, branch: Branch, by) -> BranchCycle:
    """The township sends a request to close back: the cycle is open again."""
    if not may_close(by, branch):
        raise PermissionDenied("仅本镇党委审核人可以退回")
    bc = _branch_cycle_locked(cycle=cycle, branch=branch)
    if bc.state != BranchCycle.State.CLOSING:
        raise ValidationError("该年度没有待确认的关闭申请")
    bc.state = BranchCycle.State.OPEN
    bc.close_requested_at = None
    bc.close_requested_by = None
    bc.save(update_fields=["state", "close_requested_at", "close_requested_by"])
    return bc


def stored_checks(checks) -> list[dict]:
    return [
        {"rule": c.rule, "ok": c.status == Status.PASS, "status": str(c.status), "text": c.reason}
        for c in checks
    ]


@transaction.atomic
def branch_cycle_close(*, cycle: Cycle, branch: Branch, by, today: date | None = None) -> BranchCycle:
    """Close and freeze the branch's cycle (township or admin): roster fixed, archive rendered once and stored with its
    sha256, the rule checks of that moment stored, state CLOSED. Refused while the rectification tail is not done."""
    from . import archive, progress

    if by is not None and not may_close(by, branch):  # None: the operator on the command line
        raise PermissionDenied("仅本镇党委审核人或管理员可以关闭年度")
    today = today or timezone.localdate()
    bc = _branch_cycle_locked(cycle=cycle, branch=branch)
    if bc.is_closed:
        raise ValidationError(f"{cycle.year}年度已关闭")
    refusal = close_refusal(cycle=cycle, branch=branch, today=today)
    if refusal:
        raise ValidationError(refusal)
    if bc.roster_fixed_on is None:
        on = _held_on(cycle=cycle, branch=branch) or cycle.deadline
        bc = branch_services.branch_cycle_fix_roster(cycle=cycle, branch=branch, on=on)
    state = progress.for_branch(cycle=cycle, branch=branch, today=today)
    data = archive.archive_pdf(cycle=cycle, branch=branch, today=today)
    bc.archive.save(
        f"{branch.pk}-{cycle.year}-{timezone.now():%Y%m%d%H%M%S}.pdf", ContentFile(data), save=False
    )
    bc.archive_sha256 = hashlib.sha256(data).hexdigest()
    bc.checks = stored_checks(state.checks)
    bc.state = BranchCycle.State.CLOSED
    bc.closed_at = timezone.now()
    bc.closed_by = by if getattr(by, "pk", None) else None
    bc.save()
    cache = getattr(cycle, "_branch_cycles", None)
    if cache is not None:
        cache[branch.pk] = bc
    return bc


def frozen(*, cycle: Cycle, branch: Branch) -> BranchCycle | None:
    """The branch's closed cycle with its stored archive, or None while it is not closed."""
    bc = BranchCycle.objects.filter(branch=branch, cycle=cycle, state=BranchCycle.State.CLOSED).first()
    return bc if bc and bc.archive else None


# ---------------------------------------------------------------- a banner opens a year for its townships (issue 12)
# Decision: the cycle is opened at the level that issues the plan. A banner (旗委) opens the year for every township
# below it; each township gets its own cycle row (township-issued, opened_by the banner reviewer), so everything that
# reads a township's cycle works unchanged. A township that already opened that year itself keeps its own and is
# listed as skipped; a township may still open its own year where the banner did not. A common cycle (the admin's,
# like the plan's 2018) applies to every township, so a banner cannot open a year that already exists that way.


@dataclass
class BannerOpened:
    opened: list[Cycle]
    skipped: list[Township]


def next_cycle_for_banner(banner) -> NextCycle:
    """What the banner's page offers: the year after the newest cycle of any of its townships (or the common one),
    with that cycle's required materials. Two queries, whatever the number of townships."""
    from django.db.models import Q

    previous = (
        Cycle.objects.filter(Q(township__banner=banner) | Q(township__isnull=True))
        .order_by("-year", "township_id")
        .first()
    )
    year = previous.year + 1 if previous else timezone.localdate().year
    materials = list(
        RequiredMaterial.objects.filter(cycle=previous).values_list("title", flat=True) if previous else []
    )
    return NextCycle(
        previous=previous,
        year=year,
        deadline=date(year + 1, 3, 20),
        title=f"{year}年度组织生活会和民主评议党员",
        materials=materials,
    )


def may_open_for_banner(user, banner) -> bool:
    scope = access.scope_of(user)
    if access.role_of(user) == "admin":
        return True
    return scope is not None and scope.role == access.Role.BANNER and scope.banner_id == banner.pk


@transaction.atomic
def cycle_open_for_banner(
    *, banner, year: int, deadline: date, title: str = "", by=None, materials: list[str] | None = None
) -> BannerOpened:
    if Cycle.objects.filter(year=year, township__isnull=True).exists():
        raise ValidationError({"year": f"{year}年度已面向所有镇党委开启"})
    townships = list(banner.townships.order_by("name"))
    if not townships:
        raise ValidationError(f"{banner}下还没有镇党委")
    own = set(Cycle.objects.filter(year=year, township__in=townships).values_list("township_id", flat=True))
    opened, skipped = [], []
    for t in townships:
        if t.pk in own:
            skipped.append(t)
            continue
        opened.append(
            cycle_open(year=year, deadline=deadline, title=title, township=t, by=by, materials=materials)
        )
    if not opened:
        raise ValidationError({"year": f"{banner}所属各镇党委都已开启{year}年度"})
    return BannerOpened(opened=opened, skipped=skipped)
