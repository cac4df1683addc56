"""The township onboards its branches (issue 12): adds, renames and retires them, opens each secretary's login, in bulk
from an Excel list too; the new logins' temporary passwords are shown once and printed as slips to hand out.

The temporary passwords live only in this session (to print the slips right after), never in the database: the login
stores its hash and a TemporaryPassword row, which forces a new password at the first login.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from branch import access, services
from branch.branches_excel import branches_plan, template_workbook
from branch.forms import add_service_errors
from branch.models import Branch
from branch.pdf import pdf_response
from branch.roster_excel import RosterError
from branch.xlsx import xlsx_response

from .accounts import account_password_reset
from .forms import BranchOnboardForm, BranchRenameForm

SESSION_KEY = "onboarded_logins"


def _remember(request, entries: list[dict]) -> None:
    """The logins just opened, with their temporary passwords, for the slips (this session only)."""
    request.session[SESSION_KEY] = entries


def _entry(branch: Branch, login, password: str) -> dict:
    return {"branch": branch.name, "name": login.first_name, "username": login.username, "password": password}


@transaction.atomic
def onboard(*, township, name, kind, secretary, phone="", username="") -> tuple[Branch, object, str]:
    """A branch and its secretary's login with a temporary password (forced change at the first login)."""
    branch, login = services.branch_onboard(
        township=township,
        name=name,
        kind=kind,
        secretary=secretary,
        phone=phone,
        username=username,
        password=secrets.token_urlsafe(16),
    )
    return branch, login, account_password_reset(user=login)


@transaction.atomic
def onboard_file(*, township, data: bytes) -> list[tuple[Branch, object, str]]:
    """Every branch of the file, or none (RosterError)."""
    return [
        onboard(
            township=township,
            name=row.name,
            kind=row.kind,
            secretary=row.secretary,
            phone=row.phone,
            username=row.username,
        )
        for row in branches_plan(data)
    ]


def _rows(township) -> list[dict]:
    from django.contrib.auth import get_user_model

    branches = list(Branch.objects.filter(township=township).order_by("retired_on", "name"))
    logins = {}
    for user in (
        get_user_model()
        .objects.filter(scope__branch__in=branches, scope__role="secretary")
        .select_related("scope", "member")
    ):
        logins.setdefault(user.scope.branch_id, []).append(user)
    return [{"branch": b, "logins": logins.get(b.pk, [])} for b in branches]


@never_cache
@login_required
def branches_page(request):
    """/<year>/township/branches/manage/: the township's branches with their secretaries' logins; add one, or many."""
    township = access.access_onboarding_township(request.user, request.GET.get("township"))
    form = BranchOnboardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            branch, login, password = onboard(
                township=township,
                name=d["name"],
                kind=d["kind"],
                secretary=d["secretary"],
                phone=d["phone"],
                username=d["username"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _remember(request, [_entry(branch, login, password)])
            return redirect("onboarding_done")
    context = {"township": township, "rows": _rows(township), "form": form, "rename_form": BranchRenameForm()}
    return render(request, "xinyi/onboarding_branches.html", context)


@never_cache
@login_required
def onboarding_done(request):
    """The logins just opened, their temporary passwords shown this once, and the slips to print."""
    township = access.access_onboarding_township(request.user, request.GET.get("township"))
    entries = request.session.get(SESSION_KEY, [])
    return render(request, "xinyi/onboarding_done.html", {"township": township, "entries": entries})


@never_cache
@login_required
def onboarding_slips(request):
    """One slip per new secretary: branch, login, temporary password, the address, 首次登录须修改密码."""
    township = access.access_onboarding_township(request.user, request.GET.get("township"))
    entries = request.session.get(SESSION_KEY, [])
    if not entries:
        messages.error(
            request, "没有刚开通的账号：临时密码只在开通后打印一次；如需新密码，请在支部名单中重置"
        )
        return redirect("onboarding_branches")
    site = request.build_absolute_uri("/")
    return pdf_response(
        "xinyi/onboarding_slips_pdf.html",
        {"township": township, "entries": entries, "site": site, "today": timezone.localdate()},
        filename=f"{township.name}党支部书记账号.pdf",
        request=request,
    )


@login_required
@require_POST
def onboarding_import(request):
    township = access.access_onboarding_township(request.user, request.POST.get("township"))
    upload = request.FILES.get("file")
    if upload is None:
        return HttpResponseBadRequest("请选择党支部名单文件（.xlsx）")
    try:
        done = onboard_file(township=township, data=upload.read())
    except RosterError as exc:
        context = {"township": township, "rows": _rows(township), "form": BranchOnboardForm()}
        context.update({"rename_form": BranchRenameForm(), "import_problems": exc.problems})
        return render(request, "xinyi/onboarding_branches.html", context, status=400)
    _remember(request, [_entry(b, login, password) for b, login, password in done])
    messages.success(request, f"已导入 {len(done)} 个党支部，并为书记开通账号")
    return redirect("onboarding_done")


@login_required
def onboarding_template(request):
    access.access_onboarding_township(request.user)
    return xlsx_response(template_workbook(), filename="党支部名单模板.xlsx")


@login_required
@require_POST
def branch_rename_view(request, pk):
    branch = access.access_onboarding_branch(request.user, pk)
    form = BranchRenameForm(request.POST)
    if form.is_valid():
        try:
            old = branch.name
            services.branch_rename(branch=branch, name=form.cleaned_data["name"])
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, f"{branch}：{message}")
        else:
            messages.success(request, f"已将“{old}”改名为“{branch.name}”")
    else:
        messages.error(request, "请填写新的名称")
    return redirect(reverse("onboarding_branches"))


@login_required
@require_POST
def branch_retire_view(request, pk):
    branch = access.access_onboarding_branch(request.user, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, f"撤销“{branch}”须勾选确认")
        return redirect("onboarding_branches")
    try:
        services.branch_retire(branch=branch, on=timezone.localdate())
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已撤销“{branch}”：其记录和档案保留、只读，今后的年度不再包括它")
    return redirect("onboarding_branches")


@never_cache
@login_required
@require_POST
def secretary_login_reset(request, pk):
    """A new temporary password for a branch's secretary (a lost slip), shown once and printable."""
    branch = access.access_onboarding_branch(request.user, pk)
    from django.contrib.auth import get_user_model

    login = get_user_model().objects.filter(scope__branch=branch, scope__role="secretary").first()
    if login is None:
        password = secrets.token_urlsafe(16)
        login = services.secretary_login_create(branch=branch, name="", password=password)
    password = account_password_reset(user=login)
    _remember(request, [_entry(branch, login, password)])
    return redirect("onboarding_done")
