"""Rectification pages (R6): the branch's measures, commitments, publicity, filing, reports; the township's view.

Two years at once: while the next cycle is open, a cycle whose meeting is held keeps its rectification tail writable
until it is closed: measures and their progress and closing, the half-year report (R6.4), the quarterly reports (R6.5),
the township's corrections and the branch's answers (R6.6). Those views are marked `@access.cycle_tail`; the rest
(commitments, publicity, filing) is read-only then. Every page works on the cycle of its address.

Reading: the branch's secretary and committee (access.staff_branch). Writing: the secretary (access.can_write_branch);
progress on a measure may also be recorded by a committee member (access.can_record_for_branch).
The township reviewer acts only on branches of their own township (access.township_of); another township's record is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from branch import access
from branch.forms import add_service_errors
from branch.models import Branch, Cycle, Member
from branch.pdf import pdf_response
from branch.selectors import cycle_members, secretary_of

from . import selectors, services
from .dates import STALE_DAYS, meeting_day, today_for
from .forms import (
    AnswerForm,
    CloseForm,
    CommitmentEditForm,
    CommitmentForm,
    CorrectionForm,
    DeleteForm,
    FilingForm,
    HalfYearForm,
    MeasureEditForm,
    MeasureForm,
    ProgressForm,
    PublicityEditForm,
    PublicityForm,
    QuarterlyForm,
    ReviewForm,
)
from .models import Commitment, Correction, Filing, Measure, ProgressEntry, Publicity, QuarterlyReport


def _cycle(request) -> Cycle:
    return access.request_cycle(request)


def _save(form, action, *, on_top=()) -> bool:
    """Run a service with the form's data; its refusal shows on the form and nothing is saved.

    Errors on fields named in `on_top` go above the form (a checkbox list with no choices would hide them).
    """
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc, on_top=on_top)
        return False
    return True


def _members(branch: Branch):
    return Member.objects.filter(branch=branch).active().order_by("name")


def _base(request, branch, cycle, day) -> dict:
    meeting_on, held = meeting_day(cycle=cycle, branch=branch)
    return {
        "branch": branch,
        "cycle": cycle,
        "day": day,
        "held_on": meeting_on if held else None,
        "meeting_on": meeting_on,  # held, else planned: measures and commitments may be set from then
        "can_write": access.can_write_branch(request.user, branch),
        # What the secretary may still correct in this year: the tail (measures, progress, reports) or everything.
        # Callables: a template asks only where it shows the links, so other pages pay no query for them.
        "can_correct_tail": lambda: (
            access.can_write_branch(request.user, branch)
            and not access.cycle_write_refusal(cycle=cycle, branch=branch, tail=True)
        ),
        "can_correct": lambda: (
            access.can_write_branch(request.user, branch)
            and not access.cycle_write_refusal(cycle=cycle, branch=branch)
        ),
    }


# ---------------------------------------------------------------- measures (R6.1, R6.3)


@login_required
def measure_list(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    context = _base(request, branch, cycle, day)
    context["rows"] = selectors.measure_rows(cycle=cycle, branch=branch, day=day)
    context["secretary"] = secretary_of(branch=branch, day=day)
    context["stale_days"] = STALE_DAYS
    return render(request, "rectification/measure_list.html", context)


@login_required
@access.cycle_tail
def measure_create(request):
    branch = access.staff_branch(request.user)
    access.require_secretary(request.user, branch)
    cycle = _cycle(request)
    day = today_for(cycle)
    form = MeasureForm(
        request.POST or None,
        members=_members(branch),
        problems=selectors.problems_to_aim_at(cycle=cycle, branch=branch),
        talks=selectors.opinions_to_aim_at(cycle=cycle, branch=branch),
    )
    if request.method == "POST" and _save(
        form,
        lambda d: services.measure_create(
            cycle=cycle,
            branch=branch,
            text=d["text"],
            responsible=d["responsible"],
            due_on=d["due_on"],
            problems=d["problems"],
            talks=d["talks"],
            created_on=day,
        ),
        on_top=("problems", "talks"),
    ):
        messages.success(request, "已添加整改措施")
        return redirect("rectification_home")
    return render(
        request, "rectification/measure_form.html", {**_base(request, branch, cycle, day), "form": form}
    )


@login_required
@access.cycle_tail
def measure_detail(request, pk):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    try:
        measure = selectors.measure_detail(measure_id=pk, branch=branch, cycle=cycle)
    except Measure.DoesNotExist as exc:
        raise Http404("没有这条整改措施") from exc
    action = request.POST.get("action") if request.method == "POST" else None
    progress_form = ProgressForm(
        request.POST if action == "progress" else None, prefix="progress", initial={"done_on": day}
    )
    close_form = CloseForm(
        request.POST if action == "close" else None,
        request.FILES if action == "close" else None,
        prefix="close",
        initial={"closed_on": day},
    )
    if action == "progress":
        access.require_committee(request.user, branch, "仅支部书记和支委委员可以登记整改进展")
        if _save(
            progress_form,
            lambda d: services.measure_progress(
                measure=measure, done_on=d["done_on"], text=d["text"], by=request.user, today=day
            ),
        ):
            messages.success(request, "已登记进展")
            return redirect(measure)
    elif action == "close":
        access.require_secretary(request.user, branch)
        if _save(
            close_form,
            lambda d: services.measure_close(
                measure=measure, closed_on=d["closed_on"], evidence=d["evidence"], photo=d["photo"], today=day
            ),
        ):
            messages.success(request, "整改措施已完成销号")
            return redirect(measure)
    context = _base(request, branch, cycle, day)
    context.update(
        {
            "measure": measure,
            "status": selectors.display_status(measure, day),
            "overdue": measure.is_overdue_on(day),
            "stale": selectors.is_stale(measure, day),
            "progress_form": progress_form,
            "close_form": close_form,
            "can_record": access.can_record_for_branch(request.user, branch),
        }
    )
    return render(request, "rectification/measure_detail.html", context)


# ---------------------------------------------------------------- commitments (R6.1)


@login_required
def measure_photo(request, pk):
    """The evidence photo, served only to those who may read the measure (never from a public media URL)."""
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    try:
        measure = selectors.measure_detail(measure_id=pk, branch=branch, cycle=cycle)
    except Measure.DoesNotExist as exc:
        raise Http404("没有这条整改措施") from exc
    if not measure.photo:
        raise Http404("这条整改措施没有照片")
    return FileResponse(measure.photo.open("rb"))


@login_required
def commitment_list(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    form = CommitmentForm(request.POST or None, members=_members(branch))
    if request.method == "POST":
        access.require_secretary(request.user, branch)
        if _save(
            form,
            lambda d: services.commitment_create(
                cycle=cycle, member=d["member"], text=d["text"], due_on=d["due_on"]
            ),
        ):
            messages.success(request, "已登记整改承诺")
            return redirect("rectification_commitment_list")
    context = _base(request, branch, cycle, day)
    context.update({"commitments": list(selectors.commitments(cycle=cycle, branch=branch)), "form": form})
    return render(request, "rectification/commitment_list.html", context)


# ---------------------------------------------------------------- public and filed (R6.2)


@login_required
def publicity_list(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    form = PublicityForm(request.POST or None, initial={"published_on": day})
    if request.method == "POST":
        access.require_secretary(request.user, branch)
        if _save(
            form,
            lambda d: services.publicity_record(
                cycle=cycle,
                branch=branch,
                published_on=d["published_on"],
                means=d["means"],
                note=d["note"],
                today=day,
            ),
        ):
            messages.success(request, "已登记公开情况")
            return redirect("rectification_publicity_list")
    context = _base(request, branch, cycle, day)
    context.update({"publicity": selectors.publicity(cycle=cycle, branch=branch), "form": form})
    return render(request, "rectification/publicity_list.html", context)


@login_required
def publicity_pdf(request):
    """整改措施公示: the printable notice for the board."""
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    context = _base(request, branch, cycle, day)
    context.update(
        {
            "rows": selectors.measure_rows(cycle=cycle, branch=branch, day=day),
            "secretary": secretary_of(branch=branch, day=day),
            "publicity": selectors.publicity(cycle=cycle, branch=branch),
        }
    )
    return pdf_response(
        "rectification/publicity_pdf.html",
        context,
        filename=f"{branch.name}整改措施公示.pdf",
        request=request,
    )


@login_required
def filing_page(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    filing = selectors.filing(cycle=cycle, branch=branch)
    action = request.POST.get("action") if request.method == "POST" else None
    file_form = FilingForm(
        request.POST if action == "file" else None, prefix="file", initial={"filed_on": day}
    )
    answer_form = AnswerForm(
        request.POST if action == "answer" else None, prefix="answer", initial={"answered_on": day}
    )
    if action:
        access.require_secretary(request.user, branch)
    if action == "file" and _save(
        file_form,
        lambda d: services.filing_submit(cycle=cycle, branch=branch, filed_on=d["filed_on"], today=day),
    ):
        messages.success(request, "已向镇党委报备整改措施")
        return redirect("rectification_filing")
    if action == "answer":
        if filing is None:
            raise Http404("尚未报备")
        if _save(
            answer_form,
            lambda d: services.filing_answer(filing=filing, on=d["answered_on"], answer=d["answer"]),
        ):
            messages.success(request, "已答复镇党委的意见，请重新报备")
            return redirect("rectification_filing")
    context = _base(request, branch, cycle, day)
    context.update(
        {
            "filing": filing,
            "history": list(filing.history.select_related("history_user").order_by("history_date"))
            if filing
            else [],
            "publicity": selectors.publicity(cycle=cycle, branch=branch),
            "file_form": file_form,
            "answer_form": answer_form,
        }
    )
    return render(request, "rectification/filing.html", context)


# ---------------------------------------------------------------- R6.6 corrections (the branch answers)


@login_required
@access.cycle_tail
def correction_list(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    answering = None
    form = None
    if request.method == "POST":
        access.require_secretary(request.user, branch)
        answering = get_object_or_404(
            Correction, pk=request.POST.get("correction"), branch=branch, cycle=cycle
        )
        form = AnswerForm(request.POST, prefix="answer")
        if _save(
            form,
            lambda d: services.correction_answer(
                correction=answering, answered_on=d["answered_on"], answer=d["answer"]
            ),
        ):
            messages.success(request, "已答复镇党委的批评纠正意见")
            return redirect("rectification_correction_list")
    rows = [
        {
            "correction": c,
            "form": form
            if answering and answering.pk == c.pk
            else AnswerForm(prefix="answer", initial={"answered_on": day}),
        }
        for c in selectors.corrections(cycle=cycle, branch=branch)
    ]
    context = _base(request, branch, cycle, day)
    context["rows"] = rows
    return render(request, "rectification/correction_list.html", context)


# ---------------------------------------------------------------- R6.4 half-year report


@login_required
@access.cycle_tail
def half_year_page(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    context = _base(request, branch, cycle, day)
    held_on = context["held_on"]
    form = HalfYearForm(request.POST or None, initial={"reported_on": day})
    if request.method == "POST":
        access.require_secretary(request.user, branch)
        if _save(
            form,
            lambda d: services.half_year_report_record(
                cycle=cycle,
                branch=branch,
                reported_on=d["reported_on"],
                means=d["means"],
                note=d["note"],
                today=day,
            ),
        ):
            messages.success(request, "已登记半年整改情况通报")
            return redirect("rectification_half_year")
    half = selectors.half_year(cycle=cycle, branch=branch, day=day, held_on=held_on)
    until = half.report.reported_on if half.report else min(day, half.due_on) if half.due_on else day
    context.update(
        {
            "half": half,
            "until": until,
            "rows": selectors.half_year_progress(cycle=cycle, branch=branch, until=until),
            "secretary": secretary_of(branch=branch, day=day),
            "form": form,
        }
    )
    return render(request, "rectification/half_year.html", context)


# ---------------------------------------------------------------- R6.5 quarterly reports


@login_required
@access.cycle_tail
def quarterly_page(request):
    branch = access.staff_branch(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    context = _base(request, branch, cycle, day)
    # The cycle's own roster: a member who took part and committed still reports on last year's quarters after a
    # later move, and a newcomer of the next year has nothing to report here.
    committed = (
        cycle_members(cycle=cycle, branch=branch).filter(commitments__cycle=cycle).distinct().order_by("name")
    )
    form = QuarterlyForm(request.POST or None, members=committed, initial={"reported_on": day})
    if request.method == "POST":
        access.require_secretary(request.user, branch)
        if _save(
            form,
            lambda d: services.quarterly_report_record(
                cycle=cycle,
                member=d["member"],
                quarter=d["quarter"],
                reported_on=d["reported_on"],
                venue=d["venue"],
                kept=d["kept"],
                by=request.user,
                today=day,
            ),
        ):
            messages.success(request, "已登记季度承诺兑现报告")
            return redirect("rectification_quarterly")
    context.update(
        {
            "headers": selectors.quarter_headers(context["held_on"]),
            "grid": selectors.quarterly_grid(cycle=cycle, branch=branch, day=day, held_on=context["held_on"]),
            "form": form,
        }
    )
    return render(request, "rectification/quarterly.html", context)


@login_required
@require_POST
@access.cycle_tail
def quarterly_mine(request):
    """A member records their own quarterly report from /me/ (R6.5)."""
    member = access.own_member(request.user)
    cycle = _cycle(request)
    day = today_for(cycle)
    form = QuarterlyForm(request.POST, prefix="mine")
    if _save(
        form,
        lambda d: services.quarterly_report_record(
            cycle=cycle,
            member=member,
            quarter=d["quarter"],
            reported_on=d["reported_on"],
            venue=d["venue"],
            kept=d["kept"],
            by=request.user,
            today=day,
        ),
    ):
        messages.success(request, "已登记本季度承诺兑现情况")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("me")


def me_context(*, user, member, cycle) -> dict:
    """What /me/ shows in its R6 slot (xinyi.views.me calls this). One query for a member with no commitment."""
    day = today_for(cycle)
    mine = selectors.my_rectification(cycle=cycle, member=member, day=day)
    return {"rect": mine, "rect_form": QuarterlyForm(prefix="mine", initial={"reported_on": day})}


# ---------------------------------------------------------------- the township's view (R6.2, R6.6, R7.1)


@login_required
def township_view(request):
    township = access.access_township(request.user, request.GET.get("township"))
    cycle = access.cycle_for_township_page(request, township)
    day = today_for(cycle)
    rows = selectors.township_view(cycle=cycle, township=township, day=day)
    return render(
        request,
        "rectification/township.html",
        {
            "township": township,
            "cycle": cycle,
            "day": day,
            "rows": rows,
            "nothing_filed": [r.branch for r in rows if r.nothing_filed],
            "stale_days": STALE_DAYS,
        },
    )


def _township_page(request, branch: Branch) -> str:
    """Back to the township's page; an admin, who may act on any branch, returns to the branch's township."""
    if request.user.is_superuser:
        return f"{reverse('rectification_township')}?township={branch.township_id}"
    return reverse("rectification_township")


@login_required
@require_POST
def township_filing_review(request, pk):
    """Acknowledge the filing, or send it back with a comment the branch must answer."""
    filing = get_object_or_404(Filing, pk=pk)
    branch = access.access_township_branch(request.user, filing.branch_id)
    township = branch.township
    if filing.cycle_id != access.cycle_for_branch(request, branch).pk:
        raise Http404("没有这份报备")
    form = ReviewForm(request.POST, prefix="review")
    decision = request.POST.get("decision")
    if decision == "return":
        done = _save(
            form,
            lambda d: services.filing_return(
                filing=filing, township=township, on=d["on"], comment=d["comment"], by=request.user
            ),
        )
        ok_text = f"已将{branch}的报备退回，等待支部答复"
    else:
        done = _save(
            form,
            lambda d: services.filing_acknowledge(
                filing=filing, township=township, on=d["on"], by=request.user
            ),
        )
        ok_text = f"已审阅{branch}的整改措施报备"
    if done:
        messages.success(request, ok_text)
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{branch}：{error}")
    return redirect(_township_page(request, branch))


@login_required
@require_POST
@access.cycle_tail
def township_correction(request, pk):
    branch = access.access_township_branch(request.user, pk)
    township = branch.township
    cycle = access.cycle_for_branch(request, branch)
    form = CorrectionForm(request.POST, prefix="correction")
    measure = None
    if request.POST.get("measure"):
        measure = get_object_or_404(Measure, pk=request.POST["measure"], branch=branch, cycle=cycle)
    if _save(
        form,
        lambda d: services.correction_issue(
            cycle=cycle,
            branch=branch,
            township=township,
            issued_on=d["issued_on"],
            text=d["text"],
            measure=measure,
            by=request.user,
        ),
    ):
        messages.success(request, f"已向{branch}下达批评纠正意见")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{branch}：{error}")
    return redirect(_township_page(request, branch))


# ---------------------------------------------------------------- mistakes corrected (issue 13)
# Edit and delete by the secretary, each through a service that keeps the change history (who, when, and the reason
# where others have seen the record). A record of another branch, or of another year under this year's address, is a
# 404; a committee member or member gets 403; a closed year refuses (the middleware's guard, then the service).


def _own_record(request, model, pk, *, branch_path: str):
    """A record of the secretary's own branch in this address's year (write access)."""
    cycle = _cycle(request)
    record = access.access_branch_record(
        request.user, model.objects.filter(cycle=cycle), pk, branch_path=branch_path, write=True
    )
    return record, cycle


def _confirm_delete(request, *, what: str, describe: str, back: str, delete, needs_reason: str = ""):
    """Deleting asks once, in Chinese: a page that names the record, with the reason box; the POST deletes."""
    form = DeleteForm(request.POST if request.method == "POST" else None)  # an empty POST is still a POST
    if request.method == "POST" and _save(form, lambda d: delete(d["reason"])):
        messages.success(request, f"已删除{what}")
        return redirect(back)
    context = {"what": what, "describe": describe, "back": back, "form": form, "needs_reason": needs_reason}
    return render(request, "rectification/confirm_delete.html", context)


@login_required
@access.cycle_tail
def measure_edit(request, pk):
    measure, cycle = _own_record(request, Measure, pk, branch_path="branch")
    branch = measure.branch
    day = today_for(cycle)
    initial = {
        "text": measure.text,
        "responsible": measure.responsible_id,
        "due_on": measure.due_on,
        "problems": list(measure.problems.values_list("pk", flat=True)),
        "talks": list(measure.talks.values_list("pk", flat=True)),
    }
    form = MeasureEditForm(
        request.POST or None,
        initial=initial,
        members=_members(branch),
        problems=selectors.problems_to_aim_at(cycle=cycle, branch=branch),
        talks=selectors.opinions_to_aim_at(cycle=cycle, branch=branch),
    )
    if request.method == "POST" and _save(
        form,
        lambda d: services.measure_update(
            measure=measure,
            text=d["text"],
            responsible=d["responsible"],
            due_on=d["due_on"],
            problems=d["problems"],
            talks=d["talks"],
            reason=d["reason"],
        ),
        on_top=("problems", "talks"),
    ):
        messages.success(request, "已修改整改措施")
        return redirect(measure)
    context = {**_base(request, branch, cycle, day), "form": form, "measure": measure}
    context["seen"] = services.measures_seen_by_others(cycle=cycle, branch=branch)
    return render(request, "rectification/measure_form.html", context)


@login_required
@access.cycle_tail
def measure_delete(request, pk):
    measure, cycle = _own_record(request, Measure, pk, branch_path="branch")
    return _confirm_delete(
        request,
        what="整改措施",
        describe=measure.text,
        back=reverse("rectification_home"),
        delete=lambda reason: services.measure_delete(measure=measure, reason=reason),
        needs_reason=services.measures_seen_by_others(cycle=cycle, branch=measure.branch),
    )


@login_required
@access.cycle_tail
def progress_delete(request, pk):
    cycle = _cycle(request)
    entry = access.access_branch_record(
        request.user,
        ProgressEntry.objects.filter(measure__cycle=cycle).select_related("measure"),
        pk,
        branch_path="measure__branch",
        write=True,
    )
    return _confirm_delete(
        request,
        what="整改进展",
        describe=f"{entry.done_on:%Y-%m-%d} {entry.text}（{entry.measure.text}）",
        back=entry.measure.get_absolute_url(),
        delete=lambda reason: services.progress_delete(entry=entry, reason=reason),
    )


@login_required
def commitment_edit(request, pk):
    commitment, cycle = _own_record(request, Commitment, pk, branch_path="member__branch")
    form = CommitmentEditForm(
        request.POST or None, initial={"text": commitment.text, "due_on": commitment.due_on}
    )
    if request.method == "POST" and _save(
        form,
        lambda d: services.commitment_update(
            commitment=commitment, text=d["text"], due_on=d["due_on"], reason=d["reason"]
        ),
    ):
        messages.success(request, "已修改整改承诺")
        return redirect("rectification_commitment_list")
    context = {
        **_base(request, commitment.member.branch, cycle, today_for(cycle)),
        "form": form,
        "title": f"修改{commitment.member.name}的整改承诺",
        "back": reverse("rectification_commitment_list"),
    }
    return render(request, "rectification/record_form.html", context)


@login_required
def commitment_delete(request, pk):
    commitment, _cycle_ = _own_record(request, Commitment, pk, branch_path="member__branch")
    return _confirm_delete(
        request,
        what="整改承诺",
        describe=f"{commitment.member.name}：{commitment.text}",
        back=reverse("rectification_commitment_list"),
        delete=lambda reason: services.commitment_delete(commitment=commitment, reason=reason),
        needs_reason=services._commitment_seen(commitment),
    )


@login_required
def publicity_edit(request, pk):
    publicity, cycle = _own_record(request, Publicity, pk, branch_path="branch")
    day = today_for(cycle)
    form = PublicityEditForm(
        request.POST or None,
        initial={"published_on": publicity.published_on, "means": publicity.means, "note": publicity.note},
    )
    if request.method == "POST" and _save(
        form,
        lambda d: services.publicity_update(
            publicity=publicity,
            published_on=d["published_on"],
            means=d["means"],
            note=d["note"],
            reason=d["reason"],
            today=day,
        ),
    ):
        messages.success(request, "已修改公开情况")
        return redirect("rectification_publicity_list")
    context = {
        **_base(request, publicity.branch, cycle, day),
        "form": form,
        "title": "修改公开情况",
        "back": reverse("rectification_publicity_list"),
    }
    return render(request, "rectification/record_form.html", context)


@login_required
def publicity_delete(request, pk):
    publicity, _cycle_ = _own_record(request, Publicity, pk, branch_path="branch")
    return _confirm_delete(
        request,
        what="公开情况",
        describe=f"{publicity.published_on:%Y-%m-%d} {publicity.get_means_display()} {publicity.note}",
        back=reverse("rectification_publicity_list"),
        delete=lambda reason: services.publicity_delete(publicity=publicity, reason=reason),
        needs_reason="公开情况已对外公布",
    )


@login_required
@access.cycle_tail
def quarterly_delete(request, pk):
    report, _cycle_ = _own_record(request, QuarterlyReport, pk, branch_path="member__branch")
    return _confirm_delete(
        request,
        what="季度报告",
        describe=f"{report.member.name} 会后第{report.quarter}季度（{report.reported_on:%Y-%m-%d}）：{report.kept}",
        back=reverse("rectification_quarterly"),
        delete=lambda reason: services.quarterly_report_delete(report=report, reason=reason),
        needs_reason="季度报告已在党员中作出",
    )
