"""Above the township (issue 12): the banner's (旗县委) and the city's (市委) overview, read-only.

One row per township with its totals, each opening the township's own overview (/<year>/township/?township=<id>),
which a banner or city reviewer reads as the township does, without its buttons. A city sees its banners, each with
its townships. A banner opens the next year for all its townships (xinyi.cycles.cycle_open_for_banner).

The totals of each township come from `township_totals`, the one place that reads the branches' progress for a level.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone

from branch import access
from branch.forms import add_service_errors
from branch.models import Branch, BranchCycle, Cycle, Township

from . import cycles, overview, progress
from .forms import CycleOpenForm


@dataclass
class Totals:
    """What a level sees of one township (or, summed, of a banner) in one year."""

    name: str
    township: Township | None = None
    cycle: Cycle | None = None
    branches: int = 0
    steps_done: int = 0  # summed over branches
    all_done: int = 0  # branches with every step done
    with_overdue: int = 0
    with_failures: int = 0
    graded: int = 0
    excellent: int = 0
    measures: int = 0
    rect_overdue: int = 0
    closed: int = 0
    kinds: dict = field(default_factory=dict)

    @property
    def opened(self) -> bool:
        return self.cycle is not None

    @property
    def steps_percent(self) -> str:
        possible = self.branches * len(progress.STEPS)
        return f"{self.steps_done / possible:.0%}" if possible else "—"

    @property
    def excellent_percent(self) -> str:
        return f"{self.excellent / self.graded:.0%}" if self.graded else "—"

    def add(self, other: Totals) -> None:
        for name in (
            "branches",
            "steps_done",
            "all_done",
            "with_overdue",
            "with_failures",
            "graded",
            "excellent",
            "measures",
            "rect_overdue",
            "closed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.kinds.items():
            self.kinds[k] = self.kinds.get(k, 0) + v


def _cycles_of_year(year: int, townships: list[Township]) -> dict[int, Cycle]:
    """Each township's cycle of the year: its own, else the common one. One query."""
    found = Cycle.objects.filter(year=year).filter(Q(township__in=townships) | Q(township__isnull=True))
    common = next((c for c in found if c.township_id is None), None)
    own = {c.township_id: c for c in found if c.township_id is not None}
    return {t.pk: own.get(t.pk, common) for t in townships if own.get(t.pk, common) is not None}


def township_totals(*, year: int, townships: list[Township], today=None) -> list[Totals]:
    """One Totals per township for the year, in the order given (a township that has no such year: zeros, not opened).

    The branches of the townships sharing a cycle are evaluated together (xinyi.overview.rows, batched per cycle).
    """
    today = today or timezone.localdate()
    cycle_of = _cycles_of_year(year, townships)
    branches = list(
        Branch.objects.filter(township__in=townships)
        .in_year(year)
        .select_related("township")
        .order_by("township_id", "name")
    )
    by_cycle: dict[int, list[Branch]] = defaultdict(list)
    for b in branches:
        if b.township_id in cycle_of:
            by_cycle[cycle_of[b.township_id].pk].append(b)
    cycles_by_pk = {c.pk: c for c in cycle_of.values()}
    result = {t.pk: Totals(name=t.name, township=t, cycle=cycle_of.get(t.pk)) for t in townships}
    for cycle_pk, members in by_cycle.items():
        for row in overview.rows(cycle=cycles_by_pk[cycle_pk], branches=members, today=today):
            t = result[row.branch.township_id]
            t.branches += 1
            t.steps_done += row.steps_done
            t.all_done += row.steps_done == len(progress.STEPS)
            t.with_overdue += row.overdue > 0
            t.with_failures += row.failures > 0
            t.graded += row.graded or 0
            t.excellent += row.excellent or 0
            t.measures += row.rect_measures or 0
            t.rect_overdue += row.rect_overdue or 0
            t.closed += row.cycle_state == BranchCycle.State.CLOSED
            kind = row.branch.get_kind_display()
            t.kinds[kind] = t.kinds.get(kind, 0) + 1
    return [result[t.pk] for t in townships]


def _sum(name: str, rows: list[Totals]) -> Totals:
    total = Totals(name=name)
    for r in rows:
        total.add(r)
    return total


@login_required
def banner_overview(request):
    """/<year>/banner/: every township of the banner with its totals, read-only (a city reviewer: ?banner=<id>)."""
    banner = access.access_banner(request.user, request.GET.get("banner"))
    townships = list(banner.townships.order_by("name"))
    rows = township_totals(year=request.year, townships=townships)
    context = {
        "banner": banner,
        "year": request.year,
        "rows": rows,
        "total": _sum(f"{banner}合计", rows),
        "step_count": len(progress.STEPS),
        "may_open": cycles.may_open_for_banner(request.user, banner),
        "next_year": cycles.next_cycle_for_banner(banner).year,
    }
    return render(request, "xinyi/levels_banner.html", context)


@login_required
def city_overview(request):
    """/<year>/city/: every banner of the city, each with its townships' totals, read-only."""
    city = access.access_city(request.user, request.GET.get("city"))
    banners = list(city.banners.order_by("name"))
    townships = list(Township.objects.filter(banner__in=banners).order_by("name"))
    rows = township_totals(year=request.year, townships=townships)
    groups = []
    for banner in banners:
        mine = [r for r in rows if r.township.banner_id == banner.pk]
        groups.append((banner, mine, _sum(f"{banner}合计", mine)))
    context = {
        "city": city,
        "year": request.year,
        "groups": groups,
        "total": _sum(f"{city}合计", rows),
        "step_count": len(progress.STEPS),
    }
    return render(request, "xinyi/levels_city.html", context)


@login_required
@access.level_act
def banner_open(request):
    """A banner opens the next year for every township below it (R0.1, R1.2); see xinyi.cycles for the decision."""
    banner = access.access_banner(request.user, request.GET.get("banner") or request.POST.get("banner"))
    if not cycles.may_open_for_banner(request.user, banner):
        raise PermissionDenied("仅本旗县委审核人或管理员可以为所属各镇开启新年度")
    offer = cycles.next_cycle_for_banner(banner)
    form = CycleOpenForm(
        request.POST or None,
        initial={
            "year": offer.year,
            "deadline": offer.deadline,
            "title": offer.title,
            "materials": "\n".join(offer.materials),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            done = cycles.cycle_open_for_banner(
                banner=banner,
                year=form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
                title=form.cleaned_data["title"],
                by=request.user,
                materials=form.cleaned_data["materials"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            year = form.cleaned_data["year"]
            note = f"已为{len(done.opened)}个镇党委开启{year}年度"
            if done.skipped:
                note += "；" + "、".join(t.name for t in done.skipped) + "已自行开启，保留其设置"
            messages.success(request, note)
            return redirect(cycles.url_in_year(year, "banner_overview"))
    context = {"form": form, "offer": offer, "issuer": banner, "back": "banner_overview"}
    return render(request, "xinyi/cycle_open.html", context)
