from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import access, selectors
from .models import Member


@login_required
def member_list(request):
    """The roster for the secretary and committee, with filters and counts. A member is refused."""
    branch = access.staff_branch(request.user)
    status = request.GET.get("status", "")
    focus = request.GET.get("focus", "")
    group = request.GET.get("group", "")
    members = list(selectors.roster(branch=branch, status=status, focus=focus, group=group))
    context = {
        "branch": branch,
        "members": members,
        "counts": selectors.roster_counts(branch=branch),
        "groups": list(branch.groups.all()),
        "status_choices": Member.Status.choices,
        "focus_choices": [(f, Member._meta.get_field(f).verbose_name) for f in Member.FOCUS_FIELDS]
        + [("is_leading_cadre", "党员领导干部"), ("is_retired", "离退休"), ("any", "任一重点类别")],
        "filters": {"status": status, "focus": focus, "group": group},
        "can_write": access.can_write_branch(request.user, branch),
    }
    return render(request, "branch/member_list.html", context)


@login_required
def member_detail(request, pk):
    member = access.access_member(request.user, pk)
    return render(
        request,
        "branch/member_detail.html",
        {"member": member, "can_write": access.can_write_branch(request.user, member.branch)},
    )


@login_required
def branch_detail(request, pk):
    branch = access.access_branch(request.user, pk)
    posts = selectors.committee_on(branch=branch)
    counts = selectors.roster_counts(branch=branch)
    return render(
        request,
        "branch/branch_detail.html",
        {
            "branch": branch,
            "posts": posts,
            "counts": counts,
            "warnings": selectors.committee_warnings(branch=branch, posts=posts, full_members=counts["full"]),
            "can_write": access.can_write_branch(request.user, branch),
        },
    )
