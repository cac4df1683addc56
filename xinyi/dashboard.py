"""The branch dashboard (R0.1): the steps of the cycle, their dates against the deadline, and the rule checks.

It also shows where the branch's cycle stands (进行中 / 待确认关闭 / 已关闭) with the buttons to ask for, confirm or send
back its closing, what the previous cycle still owes (R6.4, R6.5), and, for a closed cycle, the checks stored with it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from branch import access
from branch.checks import STATUS_LABELS, Status
from branch.models import Branch
from branch.selectors import branch_cycle

from . import cycles, progress
from .checks import cn_date


def _context(request, *, branch: Branch, read_only: bool) -> dict:
    cycle = access.cycle_for_branch(request, branch)
    real_today = timezone.localdate()
    today = cycles.reference_day(cycle, real_today)
    archive_url = (
        reverse("township_branch_archive", args=[branch.pk]) if read_only else reverse("dashboard_archive")
    )
    bc = branch_cycle(branch=branch, cycle=cycle)
    state = progress.for_branch(cycle=cycle, branch=branch, today=today, archive_url=archive_url)
    previous, owed = cycles.previous_owed(cycle=cycle, branch=branch, today=real_today)
    stored = [
        {**c, "label": STATUS_LABELS[Status(c.get("status") or ("pass" if c["ok"] else "fail"))]}
        for c in bc.checks
    ]
    return {
        "branch": branch,
        "cycle": cycle,
        "state": state,
        "today": today,
        "today_cn": cn_date(today),
        "clamped": today != real_today,
        "deadline_cn": cn_date(cycle.deadline),
        "read_only": read_only,
        "archive_url": archive_url,
        "bc": bc,
        "bc_label": cycles.STATE_LABELS[bc.state],
        "stored_checks": stored,
        "previous": previous,
        "owed": owed,
        "may_close": read_only and cycles.may_close(request.user, branch),
        "may_request": not read_only and access.can_write_branch(request.user, branch),
    }


@login_required
def dashboard(request):
    """The secretary's and committee's page for every day; a member or reviewer is refused (their pages are elsewhere)."""
    branch = access.staff_branch(request.user)
    return render(request, "xinyi/dashboard.html", _context(request, branch=branch, read_only=False))


@login_required
def township_branch_dashboard(request, pk):
    branch = access.access_township_branch(request.user, pk)
    return render(request, "xinyi/dashboard.html", _context(request, branch=branch, read_only=True))


def _act(request, act, *, branch: Branch, done: str):
    cycle = access.cycle_for_branch(request, branch)
    try:
        act(cycle=cycle, branch=branch, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done.format(year=cycle.year))


@login_required
@require_POST
@access.cycle_tail
def dashboard_close_request(request):
    """The secretary asks the township to close the year (it stays writable for its tail until then)."""
    branch = access.secretary_branch(request.user)
    _act(request, cycles.branch_cycle_request_close, branch=branch, done="已申请关闭{year}年度，待镇党委确认")
    return redirect("dashboard")


@login_required
@require_POST
def township_branch_close(request, pk):
    """The township (or an admin) closes and freezes the branch's year."""
    branch = access.access_township_branch(request.user, pk)
    _act(request, cycles.branch_cycle_close, branch=branch, done="{year}年度已关闭，档案已封存")
    return redirect("township_branch_dashboard", pk)


@login_required
@require_POST
def township_branch_return(request, pk):
    branch = access.access_township_branch(request.user, pk)
    _act(request, cycles.branch_cycle_return, branch=branch, done="已退回{year}年度的关闭申请")
    return redirect("township_branch_dashboard", pk)
