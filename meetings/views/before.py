"""Pages before the meeting: study (R1), talks and their coverage (R2), problem lists (R3).

Every view asks branch.access who may see or do what; every write goes through meetings.services.before.
"""

from __future__ import annotations

import openpyxl
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from openpyxl.styles import Alignment, Font

from branch import access
from branch.forms import add_service_errors
from branch.models import CommitteePost, Cycle, Member
from branch.pdf import pdf_response
from branch.selectors import cycle_members
from branch.xlsx import write_cell, xlsx_response

from ..forms.before import DeliveryForm, ProblemForm, StudySessionForm, TalkForm
from ..models import Problem, RequiredMaterial, StudyAttendance, StudySession, Talk
from ..selectors import before as selectors
from ..services import before as services


def _cycle(request) -> Cycle:
    return access.request_cycle(request)


def _roster_qs(branch, cycle: Cycle):
    """The cycle's own roster to choose from (fixed once its meeting is held), by name."""
    return cycle_members(cycle=cycle, branch=branch).order_by("name")


def _committee_qs(branch, cycle: Cycle):
    """Everyone who sat on the committee at some time during the cycle."""
    posts = CommitteePost.objects.filter(branch=branch, term_start__lte=cycle.deadline).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=cycle.starts_on)
    )
    return Member.objects.filter(pk__in=posts.values("member_id")).order_by("name")


# ---------------------------------------------------------------- R1 study


@login_required
def study_list(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    return render(
        request,
        "meetings/study_list.html",
        {
            "branch": branch,
            "cycle": cycle,
            "sessions": list(selectors.study_sessions(cycle=cycle, branch=branch)),
            "materials": selectors.material_coverage(cycle=cycle, branch=branch),
            "deliveries": selectors.deliveries(cycle=cycle, branch=branch),
            "can_record": access.can_record_for_branch(request.user, branch),
        },
    )


@login_required
def study_create(request):
    branch = access.staff_branch(request.user)
    access.require_committee(request.user, branch, "无权登记本支部的集中学习")
    cycle = _cycle(request)
    roster = list(_roster_qs(branch, cycle))
    materials = RequiredMaterial.objects.filter(cycle=cycle)
    form = StudySessionForm(request.POST or None, roster=roster, materials=materials)
    if request.method == "POST" and form.is_valid():
        present, absent = form.present_and_absent()
        data = form.cleaned_data
        try:
            session = services.study_session_record(
                cycle=cycle,
                branch=branch,
                held_on=data["held_on"],
                form=data["form"],
                place=data["place"],
                leader=data["leader"],
                materials=data["materials"],
                other_content=data["other_content"],
                present=present,
                absent=absent,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记{session.held_on:%Y-%m-%d}的集中学习")
            return redirect("study_detail", pk=session.pk)
    return render(request, "meetings/study_form.html", {"branch": branch, "cycle": cycle, "form": form})


def _sessions():
    return StudySession.objects.select_related("cycle", "branch", "leader")


@login_required
def study_detail(request, pk):
    session = access.access_branch_record(request.user, _sessions(), pk)
    return render(
        request,
        "meetings/study_detail.html",
        {
            "session": session,
            "branch": session.branch,
            "attendance": selectors.study_session_detail(session=session),
            "materials": list(session.materials.all()),
            "can_record": access.can_record_for_branch(request.user, session.branch),
        },
    )


@login_required
def study_signin_pdf(request, pk):
    """签到表: the branch's members with blank rows to sign, printed before the session."""
    session = access.access_branch_record(request.user, _sessions(), pk)
    members = selectors.signin_roster(session=session)
    return pdf_response(
        "meetings/study_signin.html",
        {
            "session": session,
            "branch": session.branch,
            "cycle": session.cycle,
            "members": members,
            "materials": list(session.materials.all()),
            "blank_rows": range(5),
        },
        filename=f"{session.branch.name}{session.held_on:%Y%m%d}集中学习签到表.pdf",
        request=request,
    )


@login_required
def study_delivery_create(request, pk):
    """R1.3: record when, how and by whom an absent member got the materials."""
    attendance = access.access_branch_record(
        request.user,
        StudyAttendance.objects.select_related("session__branch", "session__cycle", "member"),
        pk,
        branch_path="session__branch",
    )
    branch = attendance.session.branch
    access.require_committee(request.user, branch, "无权登记本支部的送学情况")
    form = DeliveryForm(
        request.POST or None,
        roster_qs=_roster_qs(branch, attendance.session.cycle),
        initial={"delivered_by": access.acting_member(request.user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.study_delivery_record(
                attendance=attendance,
                delivered_on=form.cleaned_data["delivered_on"],
                method=form.cleaned_data["delivery_method"],
                by=form.cleaned_data["delivered_by"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记向{attendance.member.name}送学")
            return redirect("study_list")
    return render(
        request,
        "meetings/study_delivery_form.html",
        {"attendance": attendance, "branch": branch, "form": form},
    )


# ---------------------------------------------------------------- R2 talks


@login_required
def talk_list(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    return render(
        request,
        "meetings/talk_list.html",
        {
            "branch": branch,
            "cycle": cycle,
            "talks": list(selectors.talks(cycle=cycle, branch=branch)),
            "can_write": access.can_write_branch(request.user, branch),
        },
    )


@login_required
def talk_create(request):
    """R2: a committee member records their own talks; only the secretary records for another committee member."""
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    actor = access.acting_member(request.user)
    for_others = access.can_write_branch(request.user, branch)
    committee_qs = _committee_qs(branch, cycle)
    if not for_others:
        if actor is None:
            raise PermissionDenied("此账号未关联党员")
        committee_qs = committee_qs.filter(pk=actor.pk)
    if request.method == "POST" and not for_others and request.POST.get("by") != str(actor.pk):
        raise PermissionDenied("只有支部书记可以代其他支委登记谈话")
    initial = {"by": request.GET.get("by") if for_others else None, "with_member": request.GET.get("with")}
    if not initial["by"] and actor is not None:
        initial["by"] = actor.pk
    form = TalkForm(
        request.POST or None, committee_qs=committee_qs, roster_qs=_roster_qs(branch, cycle), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            talk = services.talk_record(
                cycle=cycle,
                by=data["by"],
                with_=data["with_member"],
                held_on=data["held_on"],
                means=data["means"],
                place=data["place"],
                opinions_on_branch=data["opinions_on_branch"],
                opinions_on_committee=data["opinions_on_committee"],
                member_situation=data["member_situation"],
                recorded_by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已登记{talk.by.name}与{talk.with_member.name}的谈心谈话")
            return redirect("talk_coverage")
    return render(request, "meetings/talk_form.html", {"branch": branch, "cycle": cycle, "form": form})


@login_required
def talk_coverage(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    cov = selectors.talk_coverage(cycle=cycle, branch=branch)
    return render(request, "meetings/talk_coverage.html", {"branch": branch, "cycle": cycle, "coverage": cov})


REGISTER_COLUMNS = [
    ("序号", 6),
    ("谈话日期", 12),
    ("谈话人", 10),
    ("谈话对象", 10),
    ("对象类别", 18),
    ("方式", 6),
    ("地点", 14),
    ("对支部工作的意见建议", 36),
    ("对班子成员的意见建议", 36),
    ("工作生活和思想状况", 36),
    ("形成的问题（R3.3）", 30),
]


@login_required
def talk_register_xlsx(request):
    """谈心谈话记录表: the same rows as the talk list, one talk a line, oldest first."""
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    rows = list(selectors.talks(cycle=cycle, branch=branch).order_by("held_on", "pk"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "谈心谈话记录表"
    write_cell(ws, 1, 1, f"{branch.name}{cycle.year}年度谈心谈话记录表").font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REGISTER_COLUMNS))
    for col, (title, width) in enumerate(REGISTER_COLUMNS, start=1):
        write_cell(ws, 2, col, title).font = Font(bold=True)
        ws.column_dimensions[openpyxl.utils.get_column_letter(col)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, t in enumerate(rows, start=1):
        values = [
            i,
            t.held_on,
            t.by.name,
            t.with_member.name,
            "、".join([t.with_member.get_status_display(), *t.with_member.focus_labels]),
            t.get_means_display(),
            t.place,
            t.opinions_on_branch,
            t.opinions_on_committee,
            t.member_situation,
            "；".join(p.text for p in t.problems.all()),
        ]
        for col, value in enumerate(values, start=1):
            cell = write_cell(ws, i + 2, col, value)
            cell.alignment = wrap
            if col == 2:
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = "A3"
    return xlsx_response(wb, filename=f"{branch.name}{cycle.year}年度谈心谈话记录表.xlsx")


# ---------------------------------------------------------------- R3 problems


@login_required
def problem_list(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    return render(
        request,
        "meetings/problem_list.html",
        {
            "branch": branch,
            "cycle": cycle,
            "lists": selectors.problem_lists(cycle=cycle, branch=branch),
            "can_write": access.can_write_branch(request.user, branch),
        },
    )


@login_required
def problem_create(request):
    """R3.1 / R3.2: the secretary records the committee's problems and, from what members said, theirs."""
    branch = access.secretary_branch(request.user)
    cycle = _cycle(request)
    form = ProblemForm(
        request.POST or None,
        roster_qs=_roster_qs(branch, cycle),
        initial={"member": request.GET.get("member")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_record(
                cycle=cycle,
                branch=branch,
                member=form.cleaned_data["member"],
                area=form.cleaned_data["area"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记查摆问题")
            return redirect("problem_list")
    return render(
        request,
        "meetings/problem_form.html",
        {"branch": branch, "cycle": cycle, "form": form, "title": "登记查摆问题"},
    )


@login_required
def problem_from_talk(request, talk_pk):
    """R3.3: turn an opinion heard in a talk into a problem, or link it to a problem already listed."""
    talk = access.access_branch_record(
        request.user, Talk.objects.select_related("cycle", "branch", "by", "with_member"), talk_pk, write=True
    )
    branch = talk.branch
    participants = Member.objects.filter(pk__in=[talk.by_id, talk.with_member_id]).order_by("name")
    existing = list(
        Problem.objects.filter(cycle=talk.cycle, branch=branch).exclude(talks=talk).select_related("member")
    )
    initial_text = (talk.opinions_on_branch or talk.opinions_on_committee or talk.member_situation)[:200]
    form = ProblemForm(
        request.POST if request.POST.get("action") == "new" else None,
        roster_qs=participants,
        initial={"text": initial_text},
    )
    link_error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "link":
                problem = get_object_or_404(Problem, pk=request.POST.get("problem") or 0, branch=branch)
                services.problem_link_talk(problem=problem, talk=talk)
                messages.success(request, "已将谈话意见关联到问题")
                return redirect("problem_list")
            if form.is_valid():
                services.problem_from_talk(
                    talk=talk,
                    member=form.cleaned_data["member"],
                    area=form.cleaned_data["area"],
                    text=form.cleaned_data["text"],
                )
                messages.success(request, "已将谈话意见转为查摆问题")
                return redirect("problem_list")
        except ValidationError as exc:
            if request.POST.get("action") == "link":
                link_error = "；".join(exc.messages)
            else:
                add_service_errors(form, exc)
    return render(
        request,
        "meetings/problem_from_talk.html",
        {"branch": branch, "talk": talk, "form": form, "existing": existing, "link_error": link_error},
    )


@login_required
def my_problem_create(request):
    """R3.2: a member records their own problems on their own page; never required as an essay."""
    member = access.own_member(request.user)
    cycle = _cycle(request)
    form = ProblemForm(request.POST or None, owner="member")
    if request.method == "POST" and form.is_valid():
        try:
            services.problem_record(
                cycle=cycle,
                branch=member.branch,
                member=member,
                area=form.cleaned_data["area"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已记录我查摆的问题")
            return redirect(reverse("me") + "#my-problems")
    return render(
        request,
        "meetings/problem_form.html",
        {"branch": member.branch, "cycle": cycle, "form": form, "title": "记录我查摆的问题"},
    )
