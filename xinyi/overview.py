"""The township overview (R7.1, R5.9): every branch of the township in one table, and its ZIP of archives (R7.2).

The same rows feed the page /township/ and the admin page (xinyi.admin). Queries do not grow with the number of branches:
the steps and checks of all branches are computed together (xinyi.progress), and so are the appraisal and rectification
figures (each app's selectors for many branches at once). Until a step is built its columns show "—".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from branch import access
from branch.forms import add_service_errors
from branch.models import Branch, Cycle, Township
from branch.models import BranchCycle as BranchCycleRow

from . import checks as rule_checks
from . import cycles, progress, years
from .forms import CycleOpenForm
from .models import ArchiveBundle
from .tasks import bundle_request, bundles_fail_stale


@dataclass
class Row:
    branch: Branch
    state: progress.BranchCycle
    graded: int | None
    excellent: int | None
    committee: str
    satisfied: float | None
    rect_filed: bool | None
    rect_measures: int | None
    rect_overdue: int | None
    cycle_state: str = BranchCycleRow.State.OPEN
    rect_filing_state: str = (
        ""  # 已报备，待审阅 / 镇党委已审阅 / 镇党委退回，待支部答复 / 支部已答复，待重新报备
    )

    @property
    def cycle_state_label(self) -> str:
        return cycles.STATE_LABELS[self.cycle_state]

    @property
    def filed_label(self) -> str:
        if self.rect_filed is None:
            return "—"
        if self.rect_filed:
            return f"{self.rect_filing_state or '已报备'}（{self.rect_measures} 条）"
        return f"未报备（{self.rect_measures} 条）"

    @property
    def steps_done(self) -> int:
        return self.state.steps_done

    @property
    def overdue(self) -> int:
        return len(self.state.overdue)

    @property
    def failures(self) -> int:
        return len(self.state.failures)

    @property
    def excellent_share(self) -> float | None:
        if not self.graded or self.excellent is None:
            return None
        return self.excellent / self.graded

    @property
    def excellent_percent(self) -> str:
        share = self.excellent_share
        return "—" if share is None else f"{share:.0%}"


# ?sort= keys and how each sorts; a "-" prefix reverses.
SORTS = {
    "name": lambda r: r.branch.name,
    "kind": lambda r: r.branch.get_kind_display(),
    "steps": lambda r: r.steps_done,
    "overdue": lambda r: r.overdue,
    "failures": lambda r: r.failures,
    "graded": lambda r: r.graded or 0,
    "excellent": lambda r: r.excellent_share or 0,
    "committee": lambda r: r.satisfied or 0,
    "filed": lambda r: (bool(r.rect_filed), r.rect_measures or 0),
    "rect_overdue": lambda r: r.rect_overdue or 0,
    "cycle_state": lambda r: list(cycles.STATE_LABELS).index(r.cycle_state),
}
COLUMNS = [
    ("name", "党支部"),
    ("kind", "类型"),
    ("steps", "已完成步骤"),
    ("overdue", "逾期事项"),
    ("failures", "未通过规则"),
    ("graded", "评定等次人数"),
    ("excellent", "优秀占比"),
    ("committee", "党员评议支委会（R5.9）"),
    ("filed", "整改措施报备"),
    ("rect_overdue", "整改逾期"),
    ("cycle_state", "年度状态"),
]


def rows(*, cycle: Cycle, branches: list[Branch], sort: str = "name", today=None) -> list[Row]:
    branches = list(branches)
    states = progress.build(cycle=cycle, branches=branches, today=today)
    cycle_states = dict(
        BranchCycleRow.objects.filter(cycle=cycle, branch__in=branches).values_list("branch_id", "state")
    )
    result = []
    for b in branches:
        a, r = states[b.pk].facts.appraisal, states[b.pk].facts.rectification
        result.append(
            Row(
                branch=b,
                state=states[b.pk],
                graded=a.get("graded"),
                excellent=a.get("excellent"),
                committee=a.get("committee", ""),
                satisfied=a.get("satisfied"),
                rect_filed=r.get("filed"),
                rect_filing_state=r.get("filing_state", ""),
                rect_measures=r.get("measures"),
                rect_overdue=r.get("overdue"),
                cycle_state=cycle_states.get(b.pk, BranchCycleRow.State.OPEN),
            )
        )
    key = sort.lstrip("-")
    if key not in SORTS:
        key, sort = "name", "name"
    result.sort(key=SORTS[key], reverse=sort.startswith("-"))
    return result


def _township_named(request) -> str | None:
    """The ?township=<id> an admin's page names (access.access_township ignores it for a reviewer)."""
    return request.GET.get("township") or request.POST.get("township")


def overview_context(request, township: Township) -> dict:
    cycle = access.cycle_for_township_page(request, township)
    sort = request.GET.get("sort", "name")
    # a branch retired after this year still shows in it; one retired before does not (issue 12)
    branches = (
        Branch.objects.filter(township=township)
        .in_year(cycle.year)
        .select_related("township")
        .order_by("name")
    )
    bundle = ArchiveBundle.objects.filter(township=township, cycle=cycle).first()
    issuer = None if access.role_of(request.user) == "admin" else township
    opener = cycles.may_open(request.user, issuer)
    return {
        "township": township,
        "cycle": cycle,
        "rows": rows(cycle=cycle, branches=branches, sort=sort, today=timezone.localdate()),
        "columns": [(k, label, ("-" + k) if sort == k else k) for k, label in COLUMNS],
        "sort": sort,
        "deadline_cn": rule_checks.cn_date(cycle.deadline),
        "bundle": bundle,
        "step_count": len(progress.STEPS),
        "next_year": cycles.next_cycle(township=issuer).year if opener else None,
        "years": years.table(township=township, branches=branches),
    }


@login_required
def township_overview(request):
    township = access.access_township(request.user, _township_named(request))
    return render(request, "xinyi/overview.html", overview_context(request, township))


def _issuer(request) -> Township | None:
    """Who opens the next year from the page: the reviewer for their township, an admin for every township."""
    if access.role_of(request.user) == "admin":
        return None
    return access.township_of(request.user)


@login_required
def cycle_open_page(request):
    """Open the next year (R0.1) with its required materials (R1.2), copied from the last year and editable here."""
    issuer = _issuer(request)
    if not cycles.may_open(request.user, issuer):
        raise PermissionDenied("仅镇党委审核人或管理员可以开启新年度")
    offer = cycles.next_cycle(township=issuer)
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
            cycle = cycles.cycle_open(
                year=form.cleaned_data["year"],
                deadline=form.cleaned_data["deadline"],
                title=form.cleaned_data["title"],
                township=issuer,
                by=request.user,
                materials=form.cleaned_data["materials"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已开启{cycle}")
            return redirect(cycles.url_in_year(cycle.year, "township_overview"))
    return render(request, "xinyi/cycle_open.html", {"form": form, "offer": offer, "issuer": issuer})


@login_required
@require_POST
def bundle_create(request):
    township = access.access_township(request.user, _township_named(request))
    cycle = access.cycle_for_township_page(request, township)
    bundle_request(township=township, cycle=cycle, user=request.user)
    return redirect(reverse("township_bundle"))


@login_required
def bundle_status(request):
    """The newest ZIP of the reviewer's township with its progress; the page reloads itself while it is being built."""
    township = access.access_township(request.user, _township_named(request))
    bundles_fail_stale(
        township=township
    )  # a killed worker's ZIP shows as failed, with the button to ask again
    bundle = ArchiveBundle.objects.filter(township=township).select_related("cycle").first()
    context = {"township": township, "bundle": bundle, "live": True}
    if request.htmx:  # the box polling itself while the ZIP is made: only the box, swapped in place
        return render(request, "xinyi/bundle_box.html", context)
    return render(request, "xinyi/bundle.html", context)


@login_required
def bundle_download(request, pk):
    """Only through this view, never the media URL: a reviewer downloads their own township's ZIP."""
    township = access.access_township(request.user, _township_named(request))
    bundle = get_object_or_404(ArchiveBundle, pk=pk, township=township, status=ArchiveBundle.Status.DONE)
    return FileResponse(
        bundle.file.open("rb"), as_attachment=True, filename=bundle.file.name.rsplit("/", 1)[-1]
    )
