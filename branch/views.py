from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import access, selectors, services
from .forms import LeaveForm, MemberForm, PostAssignForm, PostEndForm, RosterUploadForm, add_service_errors
from .models import CommitteePost, Member
from .roster_excel import RosterError, export_workbook, import_roster, template_workbook
from .xlsx import xlsx_response


@login_required
def member_list(request):
    """The roster for the secretary and committee, with filters and counts. A member is refused."""
    branch = access.staff_branch(request.user)
    status = request.GET.get("status", "")
    focus = request.GET.get("focus", "")
    group = request.GET.get("group", "")
    left = request.GET.get("left") == "1"
    members = list(
        selectors.roster(branch=branch, status=status, focus=focus, group=group, include_left=left)
    )
    context = {
        "branch": branch,
        "members": members,
        "counts": selectors.roster_counts(branch=branch),
        "groups": list(branch.groups.all()),
        "status_choices": Member.Status.choices,
        "focus_choices": [(f, Member._meta.get_field(f).verbose_name) for f in Member.FOCUS_FIELDS]
        + [("is_leading_cadre", "党员领导干部"), ("is_retired", "离退休"), ("any", "任一重点类别")],
        "filters": {"status": status, "focus": focus, "group": group, "left": left},
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
def member_create(request):
    """The secretary adds a member to their branch."""
    branch = access.secretary_branch(request.user)
    form = MemberForm(request.POST or None, branch=branch, cycle=request.cycle)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.member_create(branch=branch, cycle=request.cycle, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, f"已添加党员 {member.name}")
            return redirect(member)
    return render(request, "branch/member_form.html", {"form": form, "branch": branch, "member": None})


@login_required
def member_edit(request, pk):
    """The secretary corrects a member's record; the committee and the member themself read only."""
    member = access.access_member(request.user, pk, write=True)
    form = MemberForm(request.POST or None, instance=member, branch=member.branch, cycle=request.cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(member=member, cycle=request.cycle, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, f"已保存 {member.name} 的信息")
            return redirect(member)
    return render(
        request, "branch/member_form.html", {"form": form, "branch": member.branch, "member": member}
    )


@login_required
def member_leave(request, pk):
    """Transfer out or death: the record stays, marked with the date (its talks and grades point at it)."""
    member = access.access_member(request.user, pk, write=True)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_leave(
                member=member, reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, f"已将 {member.name} 标记为{member.get_left_reason_display()}")
            return redirect(member)
    return render(request, "branch/member_leave.html", {"form": form, "member": member})


@login_required
def roster_template(request):
    access.staff_branch(request.user)
    return xlsx_response(template_workbook(), filename="党员名册模板.xlsx")


@login_required
def roster_export(request):
    """The roster as Excel, in the template's columns, for the secretary and committee."""
    branch = access.staff_branch(request.user)
    return xlsx_response(
        export_workbook(selectors.roster(branch=branch), cycle=request.cycle),
        filename=f"{branch.name}党员名册.xlsx",
    )


@login_required
def roster_import(request):
    """The secretary uploads an Excel roster: all rows or none."""
    branch = access.secretary_branch(request.user)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data["file"]
            # Refuse a big upload before reading it into memory; import_roster checks the bytes again.
            data = upload.read(settings.ROSTER_MAX_BYTES + 1)
            result = import_roster(branch=branch, data=data)
        except RosterError as e:
            problems = e.problems
        else:
            messages.success(request, result.summary)
            for line in result.skipped:
                messages.info(request, line)
            return redirect("member_list")
    return render(
        request,
        "branch/roster_import.html",
        {"form": form, "branch": branch, "problems": problems},
        # A POST that gets here was refused, by the form (an empty file, none at all) or by the import.
        status=400 if request.method == "POST" else 200,
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


@login_required
def post_list(request, pk):
    """Committee posts of a branch, past and current; the secretary assigns and ends terms."""
    branch = access.access_branch(request.user, pk)
    can_write = access.can_write_branch(request.user, branch)
    form = PostAssignForm(request.POST or None, branch=branch)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("仅支部书记可以任免支委职务")
        if form.is_valid():
            try:
                post = services.post_assign(branch=branch, **form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, f"已任命 {post}")
                return redirect("post_list", pk=branch.pk)
    current = selectors.committee_on(branch=branch)
    full_members = selectors.roster_counts(branch=branch)["full"]
    return render(
        request,
        "branch/committeepost_list.html",
        {
            "branch": branch,
            "posts": selectors.posts_of(branch=branch),
            "warnings": selectors.committee_warnings(branch=branch, posts=current, full_members=full_members),
            "form": form,
            "end_form": PostEndForm(),
            "can_write": can_write,
        },
    )


@login_required
@require_POST
def post_end(request, pk):
    post = get_object_or_404(CommitteePost.objects.select_related("branch", "member"), pk=pk)
    branch = access.access_branch(request.user, post.branch_id, write=True)
    form = PostEndForm(request.POST)
    if form.is_valid():
        try:
            services.post_end(post=post, on=form.cleaned_data["on"])
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, f"{post} 任期已结束")
    else:
        messages.error(request, "请填写有效的任期结束日期")
    return redirect("post_list", pk=branch.pk)
