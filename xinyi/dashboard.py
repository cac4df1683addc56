"""The branch dashboard (R0.1): the steps of the cycle, their dates against the deadline, and the rule checks."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from branch import access
from branch.models import Branch

from . import progress
from .checks import cn_date


def _context(request, *, branch: Branch, read_only: bool) -> dict:
    cycle = access.cycle_for_branch(request, branch)
    today = timezone.localdate()
    archive_url = (
        reverse("township_branch_archive", args=[branch.pk]) if read_only else reverse("dashboard_archive")
    )
    state = progress.for_branch(cycle=cycle, branch=branch, today=today, archive_url=archive_url)
    return {
        "branch": branch,
        "cycle": cycle,
        "state": state,
        "today": today,
        "today_cn": cn_date(today),
        "deadline_cn": cn_date(cycle.deadline),
        "read_only": read_only,
        "archive_url": archive_url,
    }


@login_required
def dashboard(request):
    """The secretary's and committee's page for every day; a member or reviewer is refused (their pages are elsewhere)."""
    branch = access.staff_branch(request.user)
    return render(request, "xinyi/dashboard.html", _context(request, branch=branch, read_only=False))


def township_branch(user, pk) -> Branch:
    """A branch of the reviewer's own township (read-only); another township's branch is a 404."""
    if access.role_of(user) == "admin":
        return get_object_or_404(Branch, pk=pk)
    access.township_of(user)
    return access.access_branch(user, pk)


@login_required
def township_branch_dashboard(request, pk):
    branch = township_branch(request.user, pk)
    return render(request, "xinyi/dashboard.html", _context(request, branch=branch, read_only=True))
