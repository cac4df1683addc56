"""Pages of the democratic appraisal (R5).

Who may do what: the secretary writes every step; committee members (as 计票人, tellers) may also enter the ballots and
totals; the township reviewer reads a branch of their township (?branch=<id>); a member sees only /me/.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from branch import access
from branch.forms import add_service_errors
from branch.models import Cycle, Member
from branch.pdf import pdf_response
from branch.selectors import attach_scores

from . import exports, selectors, services
from .forms import (
    BallotForm,
    FeedbackForm,
    FeedbackTableForm,
    FollowUpForm,
    GradeForm,
    GradeTableForm,
    SelfMutualForm,
    SelfMutualTableForm,
    TallyForm,
    TotalsForm,
)
from .models import Grade, GradeChoice, SelfMutual, Tally


def _cycle(request, branch) -> Cycle:
    """The address's cycle for this branch (an admin gets the branch's township's own cycle of that year)."""
    return access.cycle_for_branch(request, branch)


TELLERS_ONLY = "仅支部书记和支委委员（计票人）可以录入测评票"


def _ctx(request, branch, **extra):
    return {
        "branch": branch,
        "cycle": extra.pop("cycle", None),
        "can_write": access.can_write_branch(request.user, branch),
        "can_tally": access.can_record_for_branch(request.user, branch),
        "qs": f"?branch={branch.pk}" if access.role_of(request.user) in ("township", "admin") else "",
        **extra,
    }


@login_required
def appraisal_home(request):
    if access.role_of(request.user) == "township" and not request.GET.get("branch"):
        return redirect("appraisal_township")  # the reviewer starts from the township's view of all branches
    branch = access.access_viewed_branch(request.user, request.GET.get("branch"))
    cycle = _cycle(request, branch)
    tally = selectors.tally_for(cycle=cycle, branch=branch)
    return render(
        request,
        "appraisal/appraisal_home.html",
        _ctx(
            request,
            branch,
            cycle=cycle,
            tally=tally,
            present=selectors.present_count(cycle=cycle, branch=branch),
            cap=selectors.cap_status(cycle=cycle, branch=branch),
            checks=selectors.checks(cycle=cycle, branches=[branch])[branch.pk],
        ),
    )


# ---- R5.1/R5.2 ----


def _table_refusal(exc: ValidationError) -> tuple[list[str], dict[int, list[str]], dict[str, list[str]]]:
    """A whole-table service's refusal: the messages on top, the reasons per member id (rows to mark), and the
    errors of the table's own fields (date, way, person)."""
    if not hasattr(exc, "error_dict"):
        return exc.messages, {}, {}
    top, rows, fields = [], {}, {}
    for key, messages_ in exc.message_dict.items():
        if key == NON_FIELD_ERRORS:
            top.extend(messages_)
        elif key.isdigit():
            rows[int(key)] = messages_
        else:
            fields[key] = messages_
    return top, rows, fields


@login_required
def self_mutual_list(request):
    """R5.1/R5.2 on one page: who took part, optional short points, the whole roster saved at once (issue 13)."""
    branch = access.access_viewed_branch(request.user, request.GET.get("branch"))
    cycle = _cycle(request, branch)
    rows = selectors.self_mutual_rows(cycle=cycle, branch=branch)
    errors: list[str] = []
    if request.method == "POST":
        access.require_secretary(request.user, branch, "仅支部书记可以登记自评互评情况")
        form = SelfMutualTableForm(request.POST, members=[r.member for r in rows])
        entries = form.entries()
        try:
            saved = services.self_mutual_record_table(cycle=cycle, branch=branch, entries=entries)
        except ValidationError as exc:
            errors, by_row, _fields = _table_refusal(exc)
            posted = {e.member_id: e for e in entries}
            for r in rows:  # nothing was saved: show what was typed, and why each marked row was refused
                r.shown = posted.get(r.member.pk, r.shown)
                r.errors = by_row.get(r.member.pk, [])
        else:
            messages.success(request, f"已保存自评互评情况（{len(saved)} 人有改动）")
            return redirect("appraisal_self_mutual")
    with_commitments = any(r.commitments for r in rows)
    tally = selectors.tally_for(cycle=cycle, branch=branch)
    return render(
        request,
        "appraisal/selfmutual_list.html",
        _ctx(
            request,
            branch,
            cycle=cycle,
            rows=rows,
            with_commitments=with_commitments,
            errors=errors,
            editable=access.can_write_branch(request.user, branch) and not (tally and tally.is_closed),
            tally=tally,
        ),
    )


@login_required
def self_mutual_edit(request, member_id):
    member = access.access_member(request.user, member_id, write=True)
    cycle = _cycle(request, member.branch)
    row = SelfMutual.objects.filter(cycle=cycle, member=member).first()
    initial = (
        {f: getattr(row, f) for f in ("self_done", "self_points", "mutual_done", "mutual_points")}
        if row
        else {}
    )
    form = SelfMutualForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.self_mutual_record(cycle=cycle, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存 {member.name} 的自评互评记录")
            return redirect("appraisal_self_mutual")
    return render(
        request,
        "appraisal/selfmutual_form.html",
        _ctx(
            request,
            member.branch,
            cycle=cycle,
            member=member,
            form=form,
            commitments=selectors.commitments_beside(cycle=cycle, branch=member.branch).get(member.pk, []),
        ),
    )


# ---- R5.3 ballot and tally ----


@login_required
def ballot_pdf(request):
    branch = access.access_viewed_branch(request.user, request.GET.get("branch"))
    cycle = _cycle(request, branch)
    access.require_committee(request.user, branch, TELLERS_ONLY)
    present = selectors.present_count(cycle=cycle, branch=branch)
    try:
        copies = int(request.GET.get("copies") or present or 1)
    except ValueError:
        copies = 1
    copies = max(1, min(copies, 500))
    ctx = selectors.ballot_context(cycle=cycle, branch=branch, copies=copies)
    return pdf_response(
        "appraisal/ballot_pdf.html",
        {"b": ctx, "branch": branch, "cycle": cycle, "sheets": range(copies)},
        filename=f"{branch.name}民主测评票.pdf",
    )


@login_required
def tally_page(request):
    branch = access.access_viewed_branch(request.user, request.GET.get("branch"))
    cycle = _cycle(request, branch)
    tally = selectors.tally_for(cycle=cycle, branch=branch)
    initial = (
        {"issued": tally.issued, "returned": tally.returned, "invalid": tally.invalid, "mode": tally.mode}
        if tally
        else {"mode": Tally.Mode.BALLOTS}
    )
    form = TallyForm(request.POST or None, initial=initial)
    if request.method == "POST":
        access.require_committee(request.user, branch, TELLERS_ONLY)
        if form.is_valid():
            try:
                services.tally_open(cycle=cycle, branch=branch, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "已保存票数")
                return redirect("appraisal_tally")
    rows = selectors.tally_rows(cycle=cycle, branch=branch, tally=tally)
    return render(
        request,
        "appraisal/tally_detail.html",
        _ctx(
            request,
            branch,
            cycle=cycle,
            tally=tally,
            form=form,
            rows=rows,
            entered=tally.sheets.count() if tally else 0,
            present=selectors.present_count(cycle=cycle, branch=branch),
            notes=selectors.ballot_notes(tally=tally),
            committee=selectors.CommitteeResult(branch=branch, tally=tally),
        ),
    )


def _tally_or_404(branch, cycle):
    tally = selectors.tally_for(cycle=cycle, branch=branch)
    if tally is None:
        raise PermissionDenied("请先录入发出、收回和有效票数")
    return tally


@login_required
def ballot_entry(request):
    """Ballot by ballot, as the tellers read them out: phone-friendly, one paper per form."""
    branch = access.staff_branch(request.user)
    cycle = _cycle(request, branch)
    access.require_committee(request.user, branch, TELLERS_ONLY)
    tally = _tally_or_404(branch, cycle)
    if request.method == "POST" and tally.sheets.count() >= tally.valid:
        # A paper beyond the valid count (a double tap, a second phone) is refused aloud, never dropped unseen.
        messages.error(request, f"有效票 {tally.valid} 张已全部录入，本张未保存；如有录错，请先撤销上一张")
        return redirect("appraisal_ballot")
    members = selectors.rated_roster(cycle=cycle, branch=branch)
    form = BallotForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            sheet = services.ballot_enter(
                tally=tally,
                marks=form.marks(),
                notes=form.notes(),
                committee_mark=form.cleaned_data["committee_mark"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            entered = tally.sheets.count()
            if entered >= tally.valid:
                messages.success(request, f"已录入第 {entered} 张，有效票已全部录入")
            else:
                messages.success(request, f"已录入第 {entered} 张，共 {tally.valid} 张有效票")
            response = redirect("appraisal_ballot")
            _remember_for_undo(request, response, tally, [*_undo_stack(request, tally), sheet.pk])
            return response
    entered = tally.sheets.count()
    return render(
        request,
        "appraisal/ballot_form.html",
        _ctx(request, branch, cycle=cycle, tally=tally, form=form, entered=entered),
    )


# "Undo the last ballot" needs to know which was last; the database must not (R5.3). The teller's browser keeps the
# sheets it entered in a signed cookie, bound to the login and the tally, cleared at browser close.
UNDO_COOKIE = "xinyi_ballot_undo"
UNDO_SALT = "appraisal.ballot_undo"
UNDO_DEPTH = 30


def _undo_stack(request, tally) -> list[int]:
    value = request.get_signed_cookie(UNDO_COOKIE, default=None, salt=UNDO_SALT)
    if not value:
        return []
    user_id, tally_id, *sheets = value.split(":")
    if user_id != str(request.user.pk) or tally_id != str(tally.pk):
        return []
    return [int(s) for s in sheets if s.isdigit()]


def _remember_for_undo(request, response, tally, sheets: list[int]) -> None:
    if not sheets:
        response.delete_cookie(UNDO_COOKIE)
        return
    value = ":".join(str(x) for x in [request.user.pk, tally.pk, *sheets[-UNDO_DEPTH:]])
    response.set_signed_cookie(
        UNDO_COOKIE,
        value,
        salt=UNDO_SALT,
        httponly=True,
        samesite="Strict",
        secure=settings.SESSION_COOKIE_SECURE,
    )


@login_required
@require_POST
def ballot_undo(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request, branch)
    access.require_committee(request.user, branch, TELLERS_ONLY)
    tally = _tally_or_404(branch, cycle)
    sheets = _undo_stack(request, tally)
    response = redirect("appraisal_ballot")
    if not sheets:
        messages.error(request, "本浏览器没有可撤销的测评票（只能撤销在本浏览器中刚录入的票）")
        return response
    try:
        services.ballot_delete(tally=tally, sheet_id=sheets.pop())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已撤销最后录入的一张测评票")
    _remember_for_undo(request, response, tally, sheets)
    return response


@login_required
def totals_entry(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request, branch)
    access.require_committee(request.user, branch, TELLERS_ONLY)
    tally = _tally_or_404(branch, cycle)
    members = selectors.rated_roster(cycle=cycle, branch=branch)
    counts = selectors.tally_counts(tally)
    initial = {"satisfied": tally.committee_satisfied, "basic": tally.committee_basic}
    initial["unsatisfied"] = tally.committee_unsatisfied
    for m in members:
        for k, v in counts.get(m.pk, {}).items():
            initial[f"{k}_{m.pk}"] = v
    form = TotalsForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.totals_enter(tally=tally, totals=form.totals(), committee=form.committee())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存汇总票数")
            return redirect("appraisal_tally")
    return render(
        request, "appraisal/totals_form.html", _ctx(request, branch, cycle=cycle, tally=tally, form=form)
    )


@login_required
@require_POST
def tally_close(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request, branch)
    access.require_committee(request.user, branch, TELLERS_ONLY)
    try:
        services.tally_close(tally=_tally_or_404(branch, cycle))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "计票完成，可以进行组织评定")
    return redirect("appraisal_tally")


# ---- R5.4–R5.8 grades, feedback, what follows ----


@login_required
def grades_page(request):
    """R5.4–R5.8 on one page: every member's grade and 评定意见, saved all or nothing (issue 13), with the tally, the
    daily performance, the feedback and a link to what follows beside each."""
    branch = access.access_viewed_branch(request.user, request.GET.get("branch"))
    cycle = _cycle(request, branch)
    tally = selectors.tally_for(cycle=cycle, branch=branch)
    rows = selectors.grading_rows(cycle=cycle, branch=branch, tally=tally)
    errors: list[str] = []
    initial = {"decided_on": max((r.grade.decided_on for r in rows if r.grade), default=None)}
    if initial["decided_on"] is None and tally:
        initial["decided_on"] = tally.meeting.held_on
    initial["version"] = tally.grade_version if tally else 0
    form = GradeTableForm(request.POST or None, initial=initial, members=[r.member for r in rows])
    if request.method == "POST":
        access.require_secretary(request.user, branch, "仅支部书记可以保存组织评定")
        entries = form.entries()
        if form.is_valid():
            try:
                saved = services.grades_set_table(
                    cycle=cycle,
                    branch=branch,
                    entries=entries,
                    decided_on=form.cleaned_data["decided_on"],
                    decided_by=access.acting_member(request.user),
                    seen_version=form.cleaned_data["version"],
                )
            except ValidationError as exc:
                if _is_stale(exc):
                    # Refused whole; what was typed stays. The next press is made knowing the other save.
                    form.data = form.data.copy()
                    form.data["version"] = selectors.tally_for(cycle=cycle, branch=branch).grade_version
                errors, by_row, fields = _table_refusal(exc)
                for name, messages_ in fields.items():
                    for message in messages_:
                        form.add_error(name if name in form.fields else None, message)
                _show_posted_grades(rows, entries, by_row)
            else:
                messages.success(request, f"已保存组织评定（{len(saved)} 人有改动）")
                return redirect("appraisal_grades")
        else:
            _show_posted_grades(rows, entries, {})
    selectors.attach_performance(rows, cycle=cycle, branch=branch)
    return render(
        request,
        "appraisal/grade_list.html",
        _ctx(
            request,
            branch,
            cycle=cycle,
            tally=tally,
            rows=rows,
            form=form,
            errors=errors,
            grade_choices=[(value, str(label)) for value, label in GradeChoice.choices],  # translated once
            # Each row links to grades/<id>/follow-up/ and grades/<id>/history/: one reverse() for the page instead
            # of two per row (light at 500); the tests check the links against reverse().
            grades_url=reverse("appraisal_grades"),
            editable=access.can_write_branch(request.user, branch) and bool(tally and tally.is_closed),
            cap=selectors.cap_status(cycle=cycle, branch=branch),
            totals=selectors.grade_totals(rows),
        ),
    )


def _is_stale(exc: ValidationError) -> bool:
    return not hasattr(exc, "error_dict") and any(e.code == "stale" for e in exc.error_list)


def _show_posted_grades(rows, entries, by_row) -> None:
    """Nothing was saved: every row shows what was typed, and the marked rows say why."""
    posted = {e.member_id: e for e in entries}
    for r in rows:
        e = posted.get(r.member.pk)
        if e is not None:
            r.shown_grade, r.shown_opinion, r.shown_reason = e.grade, e.opinion, e.reason
        r.errors = by_row.get(r.member.pk, [])


@login_required
def feedback_table(request):
    """R5.6 for many members at once: tick the members fed back, one date, way and person (issue 13)."""
    branch = access.access_viewed_branch(request.user, request.GET.get("branch"))
    cycle = _cycle(request, branch)
    rows = selectors.feedback_rows(cycle=cycle, branch=branch)
    staff = services.rated_members(cycle=cycle, branch=branch).order_by("name")
    errors: list[str] = []
    ticked: set[int] = set()
    if request.method == "POST":
        access.require_secretary(request.user, branch, "仅支部书记可以登记反馈情况")
        form = FeedbackTableForm(request.POST, members=staff)
        ticked = set(form.member_ids())
        if form.is_valid():
            try:
                saved = services.feedback_record_many(
                    cycle=cycle, branch=branch, member_ids=form.member_ids(), **form.cleaned_data
                )
            except ValidationError as exc:
                errors, by_row, fields = _table_refusal(exc)
                for name, messages_ in fields.items():
                    for message in messages_:
                        form.add_error(name if name in form.fields else None, message)
                for r in rows:
                    r.errors = by_row.get(r.member.pk, [])
            else:
                messages.success(request, f"已记录向 {len(saved)} 名党员反馈评定意见")
                return redirect("appraisal_feedback_table")
    else:
        me = access.acting_member(request.user)
        form = FeedbackTableForm(
            initial={"by": me.pk if me and me.branch_id == branch.pk else None}, members=staff
        )
    return render(
        request,
        "appraisal/feedback_table_form.html",
        _ctx(
            request,
            branch,
            cycle=cycle,
            rows=rows,
            form=form,
            errors=errors,
            ticked=ticked,
            editable=access.can_write_branch(request.user, branch),
        ),
    )


def _rated_member(request, member_id) -> tuple[Member, Cycle]:
    """A member graded in the address's cycle: on its roster as a 正式党员 (as of its meeting day once fixed)."""
    member = access.access_member(request.user, member_id, write=True)
    cycle = _cycle(request, member.branch)
    if not services.rated_members(cycle=cycle, branch=member.branch).filter(pk=member.pk).exists():
        raise PermissionDenied(
            f"R5.8：{member.name} 不是{cycle.year}年度参评的正式党员（预备党员参加民主评议，但不评定等次）"
        )
    return member, cycle


@login_required
def grade_edit(request, member_id):
    member, cycle = _rated_member(request, member_id)
    grade = Grade.objects.filter(cycle=cycle, member=member).select_related("feedback").first()
    tally = selectors.tally_for(cycle=cycle, branch=member.branch)
    initial = (
        {"grade": grade.grade, "opinion": grade.opinion, "decided_on": grade.decided_on} if grade else {}
    )
    if not grade and tally:
        initial["decided_on"] = tally.meeting.held_on
    form = GradeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.grade_set(
                cycle=cycle, member=member, decided_by=access.acting_member(request.user), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存 {member.name} 的组织评定")
            return redirect("appraisal_grades")
    counts = selectors.tally_counts(tally).get(member.pk, {})
    (member,) = attach_scores([member], cycle=cycle)
    row = selectors.TallyRow(member=member, counts=counts, valid=tally.valid if tally else 0, grade=grade)
    selectors.attach_performance([row], cycle=cycle, branch=member.branch)
    return render(
        request,
        "appraisal/grade_form.html",
        _ctx(
            request,
            member.branch,
            cycle=cycle,
            member=member,
            form=form,
            row=row,
            cap=selectors.cap_status(cycle=cycle, branch=member.branch),
        ),
    )


@login_required
def grade_history(request, member_id):
    member = access.access_member(request.user, member_id)
    if access.role_of(request.user) == "member":
        raise PermissionDenied("党员只能在“我的评议”查看本人结果")
    grade = get_object_or_404(Grade, cycle=_cycle(request, member.branch), member=member)
    return render(
        request,
        "appraisal/grade_history.html",
        _ctx(
            request, member.branch, member=member, grade=grade, versions=selectors.grade_history(grade=grade)
        ),
    )


@login_required
def feedback_edit(request, member_id):
    member, cycle = _rated_member(request, member_id)
    grade = Grade.objects.filter(cycle=cycle, member=member).select_related("feedback").first()
    fb = getattr(grade, "feedback", None) if grade else None
    initial = {"given_on": fb.given_on, "means": fb.means, "by": fb.by_id} if fb else {}
    staff = services.rated_members(cycle=cycle, branch=member.branch).order_by("name")
    form = FeedbackForm(request.POST or None, initial=initial, members=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_record(grade=grade, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已记录向 {member.name} 反馈评定意见")
            return redirect("appraisal_grades")
    return render(
        request,
        "appraisal/feedback_form.html",
        _ctx(request, member.branch, cycle=cycle, member=member, grade=grade, form=form),
    )


@login_required
@access.cycle_tail
def follow_up_edit(request, member_id):
    member, cycle = _rated_member(request, member_id)
    grade = Grade.objects.filter(cycle=cycle, member=member).select_related("follow_up").first()
    if grade is None:
        raise PermissionDenied("尚未评定，没有后续措施")
    instance = getattr(grade, "follow_up", None)
    staff = services.rated_members(cycle=cycle, branch=member.branch).exclude(pk=member.pk).order_by("name")
    form = FollowUpForm(request.POST or None, instance=instance, grade=grade, members=staff)
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_record(grade=grade, **{f: form.cleaned_data[f] for f in form.fields})
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已保存 {member.name} 的后续措施")
            return redirect("appraisal_grades")
    return render(
        request,
        "appraisal/followup_form.html",
        _ctx(request, member.branch, cycle=cycle, member=member, grade=grade, form=form),
    )


# ---- exports ----


@login_required
def export_tally(request):
    branch = access.access_viewed_branch(request.user, request.GET.get("branch"))
    cycle = _cycle(request, branch)
    return exports.tally_xlsx(cycle=cycle, branch=branch)


@login_required
def export_results(request):
    branch = access.access_viewed_branch(request.user, request.GET.get("branch"))
    cycle = _cycle(request, branch)
    return exports.results_xlsx(cycle=cycle, branch=branch)


# ---- the township (R5.7 pool, R5.9 committee appraisal) ----


@login_required
def township_appraisal(request):
    township = access.township_of(request.user)
    cycle = access.request_cycle(request)
    branches = list(access.branches_visible(request.user).order_by("name"))
    return render(
        request,
        "appraisal/township_appraisal.html",
        {
            "township": township,
            "cycle": cycle,
            "committees": selectors.committee_results(cycle=cycle, branches=branches),
            "pool": list(selectors.commendation_pool(cycle=cycle, township=township)),
            "handlings": list(selectors.handlings(cycle=cycle, township=township)),
            "grades_url": reverse("appraisal_grades"),
        },
    )
