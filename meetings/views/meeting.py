"""Pages of the meeting (R4): plan and prepare, notice, attendance, sign-in sheet, speeches, minutes.

The secretary writes; committee members read; members and others are refused (branch/access.py).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from branch import access
from branch.forms import add_service_errors
from branch.pdf import pdf_response
from branch.selectors import cycle_members

from ..forms.meeting import (
    AWAY_MEANS_CHOICES,
    STATUS_CHOICES,
    GroupSessionForm,
    HoldForm,
    MeetingForm,
    SpeechForm,
    attendance_entries,
)
from ..models import MeetingAttendance, MeetingGroupSession, Speech
from ..selectors import meeting as selectors
from ..selectors import planner
from ..services import meeting as services


def _context(request, *, write: bool = False):
    """The branch, cycle and meeting of the page; write=True refuses everyone but the branch's secretary."""
    branch = access.staff_branch(request.user)
    if write:
        access.require_secretary(request.user, branch, "仅支部书记可以登记组织生活会")
    cycle = access.request_cycle(request)
    meeting = selectors.meeting_for(cycle=cycle, branch=branch)
    if meeting is not None:
        meeting.cycle = cycle  # one cycle object per request: its BranchCycle (the roster) is read once
    return branch, cycle, meeting


def _meeting_or_404(meeting):
    if meeting is None:
        raise Http404("本年度尚未安排组织生活会")
    return meeting


@login_required
def meeting_detail(request):
    """Plan and prepare the meeting (R4.5), see what is ready (R1–R3), mark it held."""
    branch, cycle, meeting = _context(request)
    can_write = access.can_write_branch(request.user, branch)
    form = MeetingForm(instance=meeting, initial={"form": services.GENERAL_MEETING}, branch=branch)
    if request.method == "POST":
        access.require_secretary(request.user, branch, "仅支部书记可以登记组织生活会")
        form = MeetingForm(request.POST, instance=meeting, branch=branch)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in MeetingForm.Meta.fields}
            try:
                if meeting is None:
                    services.meeting_plan(cycle=cycle, branch=branch, **data)
                else:
                    services.meeting_update(meeting=meeting, **data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, "已保存组织生活会的安排")
                return redirect("meeting_detail")
    context = {
        "branch": branch,
        "cycle": cycle,
        "meeting": meeting,
        "form": form,
        "hold_form": HoldForm(
            initial={
                "held_on": meeting and (meeting.held_on or meeting.township_agreed_on or meeting.planned_on)
            }
        ),
        "readiness": selectors.readiness(cycle=cycle, branch=branch),
        "report_annex": selectors.report_annex(cycle=cycle, branch=branch),
        "checks": selectors.checks(cycle=cycle, branches=[branch])[branch.pk] if meeting else [],
        "can_write": can_write,
        "flexible_guidance": selectors.flexible_guidance(branch),
        **_group_context(branch, meeting),
    }
    return render(request, "meetings/meeting_detail.html", context)


def _group_context(branch, meeting, form=None) -> dict:
    """The party groups' sessions of a meeting held by groups (R4.6, R7.1), for the meeting page."""
    if meeting is None or not meeting.by_groups:
        return {"group_sessions": [], "groups_not_met": [], "group_form": None}
    sessions = selectors.group_sessions(meeting=meeting)
    return {
        "group_sessions": sessions,
        "groups_not_met": selectors.groups_not_met(meeting=meeting, sessions=sessions),
        "group_form": form or GroupSessionForm(branch=branch, initial={"place": meeting.place}),
    }


@login_required
@require_POST
def meeting_group_session(request):
    """Record (or correct) one party group's session of a meeting held by groups (R4.6, R7.1)."""
    branch, cycle, meeting = _context(request, write=True)
    meeting = _meeting_or_404(meeting)
    form = GroupSessionForm(request.POST, branch=branch)
    if form.is_valid():
        try:
            services.group_session_record(
                meeting=meeting,
                group_id=form.cleaned_data["group"].pk,
                held_on=form.cleaned_data["held_on"],
                place=form.cleaned_data["place"],
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, f"已登记{form.cleaned_data['group']}的党小组会")
            return redirect("meeting_detail")
    # Show the page again with what was typed and why it was refused: nothing is lost.
    context = {
        "branch": branch,
        "cycle": cycle,
        "meeting": meeting,
        "form": MeetingForm(instance=meeting, branch=branch),
        "hold_form": HoldForm(initial={"held_on": meeting.held_on or meeting.meets_on}),
        "readiness": selectors.readiness(cycle=cycle, branch=branch),
        "report_annex": selectors.report_annex(cycle=cycle, branch=branch),
        "checks": selectors.checks(cycle=cycle, branches=[branch])[branch.pk],
        "can_write": True,
        "flexible_guidance": selectors.flexible_guidance(branch),
        **_group_context(branch, meeting, form),
    }
    return render(request, "meetings/meeting_detail.html", context, status=400)


@login_required
@require_POST
def meeting_group_session_delete(request, pk):
    branch, cycle, meeting = _context(request, write=True)
    session = get_object_or_404(MeetingGroupSession, pk=pk, meeting=_meeting_or_404(meeting))
    try:
        services.group_session_delete(session=session)
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, f"已删除{session.group}的党小组会记录")
    return redirect("meeting_detail")


@login_required
def meeting_planner(request):
    """The 春节 window planner (R4.6): members away with where they are, and days before the deadline when they are
    home. The secretary and committee members read their own branch's; a township reviewer names one of theirs."""
    branch = access.access_viewed_branch(request.user, request.GET.get("branch"))
    cycle = access.cycle_for_branch(request, branch)
    plan = planner.spring_festival_plan(cycle=cycle, branch=branch, today=timezone.localdate())
    return render(
        request,
        "meetings/meeting_planner.html",
        {
            "branch": branch,
            "cycle": cycle,
            "plan": plan,
            "flexible_guidance": selectors.flexible_guidance(branch),
            "is_staff_view": access.role_of(request.user) in ("secretary", "committee"),
        },
    )


@login_required
@require_POST
def meeting_hold(request):
    branch, cycle, meeting = _context(request, write=True)
    meeting = _meeting_or_404(meeting)
    form = HoldForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_hold(meeting=meeting, held_on=form.cleaned_data["held_on"])
        except ValidationError as e:
            for message in e.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已登记会议于 {form.cleaned_data['held_on']:%Y-%m-%d} 召开")
            return redirect("meeting_attendance")
    else:
        messages.error(request, "请填写正确的召开日期")
    return redirect("meeting_detail")


@login_required
def meeting_notice_pdf(request):
    """The 会议通知 and agenda, generated from the preparation facts (R4.5)."""
    branch, cycle, meeting = _context(request)
    meeting = _meeting_or_404(meeting)
    return pdf_response(
        "meetings/meeting_notice_pdf.html",
        selectors.notice_context(meeting=meeting),
        filename=f"{branch}{cycle.year}年度组织生活会通知.pdf",
    )


@login_required
def meeting_attendance(request):
    """Attendance against the roster on a phone: one radio row per member (R4.4, R4.6, R4.7)."""
    branch, cycle, meeting = _context(request)
    meeting = _meeting_or_404(meeting)
    can_write = access.can_write_branch(request.user, branch)
    errors: list[str] = []
    rows = selectors.attendance_rows(meeting=meeting)
    if request.method == "POST":
        access.require_secretary(request.user, branch, "仅支部书记可以登记出席情况")
        entries = attendance_entries(request.POST, [r.member for r in rows])
        try:
            services.attendance_record(meeting=meeting, entries=entries)
        except ValidationError as e:
            errors = e.messages
            # Show what was entered, not what is stored: nothing was saved.
            posted = {entry.member_id: entry for entry in entries}
            rows = [
                selectors.AttendanceRow(r.member, _unsaved(posted[r.member.pk]))
                if r.member.pk in posted
                else r
                for r in rows
            ]
        else:
            messages.success(request, "出席情况已保存")
            return redirect("meeting_attendance")
    context = {
        "branch": branch,
        "cycle": cycle,
        "meeting": meeting,
        "rows": rows,
        "quorum": selectors.quorum(rows, flexible=branch.uses_flexible_forms),
        "status_choices": STATUS_CHOICES,
        "away_means_choices": AWAY_MEANS_CHOICES,
        "flexible": branch.uses_flexible_forms,
        "errors": errors,
        "can_write": can_write,
    }
    return render(request, "meetings/meeting_attendance.html", context)


def _unsaved(entry) -> MeetingAttendance:
    return MeetingAttendance(
        member_id=entry.member_id,
        status=entry.status,
        reason=entry.reason,
        elsewhere_org=entry.elsewhere_org,
        elsewhere_on=entry.elsewhere_on,
        away_means=entry.away_means,
    )


@login_required
def meeting_signin_pdf(request):
    """A printable sign-in sheet with the whole roster (R4.7)."""
    branch, cycle, meeting = _context(request)
    meeting = _meeting_or_404(meeting)
    return pdf_response(
        "meetings/meeting_signin_pdf.html",
        {
            "branch": branch,
            "cycle": cycle,
            "meeting": meeting,
            "members": selectors.branch_roster(cycle=cycle, branch=branch, by_group=True),
        },
        filename=f"{branch}{cycle.year}年度组织生活会签到表.pdf",
    )


@login_required
def meeting_speeches(request):
    """Record the points spoken, in order: 述职, committee and members' criticism (R4.1–R4.3)."""
    branch, cycle, meeting = _context(request)
    meeting = _meeting_or_404(meeting)
    can_write = access.can_write_branch(request.user, branch)
    members = cycle_members(cycle=cycle, branch=branch).order_by("name")
    form = SpeechForm(members=members, initial=_speech_initial(request, meeting))
    if request.method == "POST":
        access.require_secretary(request.user, branch, "仅支部书记可以登记会议发言")
        form = SpeechForm(request.POST, members=members)
        if form.is_valid():
            try:
                services.speech_add(meeting=meeting, **form.cleaned_data)
            except ValidationError as e:
                add_service_errors(form, e)
            else:
                messages.success(request, "已记录一条发言")
                return redirect(f"{request.path}?kind={form.cleaned_data['kind']}")
    minutes = selectors.minutes(meeting=meeting)
    context = {
        "branch": branch,
        "cycle": cycle,
        "meeting": meeting,
        "form": form,
        "minutes": minutes,
        "can_write": can_write,
    }
    return render(request, "meetings/meeting_speeches.html", context)


def _speech_initial(request, meeting) -> dict:
    kind = request.GET.get("kind", Speech.Kind.REPORT)
    initial = {"kind": kind}
    if kind in services.REPORT_KINDS:
        secretary = selectors.secretary_of(branch=meeting.branch, day=meeting.held_on or meeting.planned_on)
        initial["speaker"] = secretary.pk if secretary else None
    if kind == Speech.Kind.RECTIFICATION_REPORT and selectors.is_first_cycle(
        cycle=meeting.cycle, branch=meeting.branch
    ):
        initial["matter"] = selectors.FIRST_CYCLE_STATEMENT
    return initial


@login_required
@require_POST
def meeting_speech_move(request, pk):
    branch, cycle, meeting = _context(request, write=True)
    speech = get_object_or_404(Speech, pk=pk, meeting=_meeting_or_404(meeting))
    try:
        services.speech_move(speech=speech, up=request.POST.get("direction") == "up")
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    return redirect("meeting_speeches")


@login_required
@require_POST
def meeting_speech_delete(request, pk):
    branch, cycle, meeting = _context(request, write=True)
    speech = get_object_or_404(Speech, pk=pk, meeting=_meeting_or_404(meeting))
    services.speech_delete(speech=speech)
    messages.success(request, "已删除该条发言")
    return redirect("meeting_speeches")


@login_required
def meeting_minutes(request):
    """The 会议记录, generated from attendance and the points in order."""
    branch, cycle, meeting = _context(request)
    meeting = _meeting_or_404(meeting)
    return render(
        request,
        "meetings/meeting_minutes.html",
        {"branch": branch, "cycle": cycle, "meeting": meeting, "minutes": selectors.minutes(meeting=meeting)},
    )


@login_required
def meeting_minutes_pdf(request):
    branch, cycle, meeting = _context(request)
    meeting = _meeting_or_404(meeting)
    return pdf_response(
        "meetings/meeting_minutes_pdf.html",
        {"branch": branch, "cycle": cycle, "meeting": meeting, "minutes": selectors.minutes(meeting=meeting)},
        filename=f"{branch}{cycle.year}年度组织生活会会议记录.pdf",
    )
