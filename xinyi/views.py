"""Pages that compose all four apps: home, the member's own page, the dashboard, the township overview."""

import re

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from appraisal import selectors as appraisal_selectors
from branch import access
from meetings.selectors.before import member_problems
from rectification import views as rectification_views

_CJK = re.compile(r"[\u4e00-\u9fff]")


@login_required
def home(request):
    """Each role lands where it works."""
    role = access.role_of(request.user)
    if role == "admin":
        return redirect("admin:index")
    if role == "township":
        return redirect("township_overview")
    if role == "banner":
        return redirect("banner_overview")
    if role == "city":
        return redirect("city_overview")
    if role in ("secretary", "committee"):
        return redirect("dashboard")
    if role == "member":
        return redirect("me")
    return render(request, "home_unscoped.html", status=403)


@login_required
def me(request):
    """A member's own page: their record, and (as the steps land) their appraisal and commitments."""
    member = access.own_member(request.user)
    cycle = access.request_cycle(request)
    context = {"member": member, "cycle": cycle}
    context["my_problems"] = member_problems(cycle=cycle, member=member) if cycle else []  # R3.2
    context["appraisal_results"] = appraisal_selectors.own_results(member=member)  # R5.6, every year
    context.update(rectification_views.me_context(user=request.user, member=member, cycle=cycle))  # R6 slot
    return render(request, "me.html", context)


def forbidden(request, exception=None):
    return render(request, "403.html", {"reason": str(exception) if exception else ""}, status=403)


def not_found(request, exception=None):
    # Our own 404s carry a Chinese sentence for the user ("没有2031年度的组织生活会"); Django's are English and name
    # models, so they are not shown.
    message = str(exception) if exception else ""
    reason = message if _CJK.search(message) else ""
    return render(request, "404.html", {"reason": reason}, status=404)


def server_error(request):
    return render(request, "500.html", status=500)
