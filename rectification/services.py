"""Every write of rectification (R6). Each refuses bad input with a Chinese message and saves nothing."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

from branch import access
from branch.models import Branch, Cycle, Member, Township
from meetings.models import Problem, Talk

from .dates import meeting_day, meeting_held_on, quarter_start
from .models import (
    Commitment,
    Correction,
    Filing,
    HalfYearReport,
    Measure,
    ProgressEntry,
    Publicity,
    QuarterlyReport,
)

# A phone photo is 12–50 megapixels; more than this is no photo but an attempt to fill the server's memory.
PHOTO_MAX_PIXELS = 60_000_000
PHOTO_LONG_SIDE = 2560


def photo_reencoded(photo) -> ContentFile:
    """The uploaded photo drawn again by Pillow: only pixels survive.

    An upload that is also HTML or a script (a GIF/HTML polyglot) loses everything but the picture, EXIF
    (the GPS position of an evidence photo) is dropped, and the stored name is ours, not the uploader's.
    PNG stays PNG (screenshots); everything else becomes JPEG.
    """
    try:
        photo.seek(0)
        with Image.open(photo) as image:
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise ValidationError({"photo": "照片像素过多，请缩小后再上传"})
            image.load()
            picture = ImageOps.exif_transpose(image)  # keep it the right way up once EXIF is gone
            fmt = "PNG" if image.format == "PNG" else "JPEG"
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as exc:
        raise ValidationError({"photo": "无法识别的图片，请上传 jpg 或 png 照片"}) from exc
    picture.thumbnail((PHOTO_LONG_SIDE, PHOTO_LONG_SIDE))
    if fmt == "PNG":
        picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    else:
        picture = picture.convert("RGB")
    picture.info = {}  # Pillow writes a GIF comment, EXIF or text chunks it read back out unless told not to
    out = io.BytesIO()
    picture.save(out, format=fmt, **({"optimize": True} if fmt == "PNG" else {"quality": 85}))
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{'png' if fmt == 'PNG' else 'jpg'}")


def _held_on_or_refuse(*, cycle: Cycle, branch: Branch) -> date:
    held_on = meeting_held_on(cycle=cycle, branch=branch)
    if held_on is None:
        raise ValidationError("组织生活会尚未召开（未登记召开日期），半年通报和季度报告从会后起算")
    return held_on


def _meeting_day_or_refuse(*, cycle: Cycle, branch: Branch) -> tuple[date, str]:
    """The day measures count from: the meeting as held, or as planned; and how to name it in a message."""
    day, held = meeting_day(cycle=cycle, branch=branch)
    if day is None:
        raise ValidationError("尚未登记组织生活会（计划或召开日期），整改措施针对会上查摆的问题制定")
    return day, f"组织生活会{'召开' if held else '计划召开'}日期（{day:%Y-%m-%d}）"


def _not_in_future(day: date, field: str, today: date | None, cycle: Cycle | None = None) -> None:
    """A record is not dated after today, nor after the end of its cycle's rectification tail (views pass a `today`
    clamped to that end, see dates.today_for: say which of the two refused it)."""
    if cycle is not None and day > cycle.tail_ends_on:
        raise ValidationError(
            {field: f"日期不能晚于{cycle.year}年度整改落实期限（{cycle.tail_ends_on:%Y-%m-%d}）"}
        )
    if day > (today or timezone.localdate()):
        raise ValidationError({field: "日期不能晚于今天"})


def _refuse_closed(*, cycle: Cycle, branch: Branch) -> None:
    """A closed cycle is frozen: no write of rectification changes it (the views' guard says the same, this is for
    the admin, imports and commands that call services directly)."""
    reason = access.cycle_write_refusal(cycle=cycle, branch=branch, tail=True)
    if reason:
        raise ValidationError(reason)


# ---------------------------------------------------------------- R6.1 measures and commitments


def _measure_check(*, cycle, branch, responsible, due_on, problems, talks) -> date:
    """R6.1, for a new measure and a reworded one: aimed at a problem or an opinion of this branch and year, due no
    earlier than the meeting, answered for by a member of the branch. Returns the meeting's day."""
    meeting_on, meeting = _meeting_day_or_refuse(cycle=cycle, branch=branch)
    errors = {}
    if not problems and not talks:
        errors["problems"] = "整改措施必须针对至少一个查摆出的问题或谈心谈话中的意见（R6.1）"
    if any(p.branch_id != branch.pk or p.cycle_id != cycle.pk for p in problems):
        errors["problems"] = "所选问题不属于本支部本年度"
    if any(t.branch_id != branch.pk or t.cycle_id != cycle.pk for t in talks):
        errors["talks"] = "所选谈话不属于本支部本年度"
    if due_on < meeting_on:
        errors["due_on"] = f"完成时限不能早于{meeting}"
    if responsible.branch_id != branch.pk:
        errors["responsible"] = "责任人不是本支部党员"
    if errors:
        raise ValidationError(errors)
    return meeting_on


@transaction.atomic
def measure_create(
    *,
    cycle: Cycle,
    branch: Branch,
    text: str,
    responsible: Member,
    due_on: date,
    problems: Iterable[Problem] = (),
    talks: Iterable[Talk] = (),
    created_on: date | None = None,
) -> Measure:
    """R6.1: a measure is aimed at one or more problems (R3) or opinions heard in talks (R2.2)."""
    _refuse_closed(cycle=cycle, branch=branch)
    problems, talks = list(problems), list(talks)
    meeting_on = _measure_check(
        cycle=cycle, branch=branch, responsible=responsible, due_on=due_on, problems=problems, talks=talks
    )
    measure = Measure(
        cycle=cycle,
        branch=branch,
        text=text.strip(),
        responsible=responsible,
        due_on=due_on,
        created_on=created_on or max(meeting_on, min(timezone.localdate(), due_on)),
    )
    measure.full_clean()
    measure.save()
    measure.problems.set(problems)
    measure.talks.set(talks)
    return measure


@transaction.atomic
def measure_progress(
    *, measure: Measure, done_on: date, text: str, by=None, today: date | None = None
) -> ProgressEntry:
    """R6.3: a dated step; a closed measure takes no more progress."""
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    _refuse_closed(cycle=measure.cycle, branch=measure.branch)
    if measure.is_done:
        raise ValidationError("该整改措施已完成销号，不能再登记进展")
    _not_in_future(done_on, "done_on", today, measure.cycle)
    meeting_on, meeting = _meeting_day_or_refuse(cycle=measure.cycle, branch=measure.branch)
    if done_on < meeting_on:
        raise ValidationError({"done_on": f"进展日期不能早于{meeting}"})
    entry = ProgressEntry(measure=measure, done_on=done_on, text=text.strip(), recorded_by=by)
    entry.full_clean()
    entry.save()
    if measure.status == Measure.Status.NOT_STARTED:
        measure.status = Measure.Status.IN_PROGRESS
        measure.save(update_fields=["status"])
    return entry


@transaction.atomic
def measure_close(
    *, measure: Measure, closed_on: date, evidence: str, photo=None, today: date | None = None
) -> Measure:
    """R6.1 "兑现一条": closing a measure states what changed (short text, optional photo)."""
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    _refuse_closed(cycle=measure.cycle, branch=measure.branch)
    if measure.is_done:
        raise ValidationError("该整改措施已经完成销号")
    if not evidence.strip():
        raise ValidationError({"evidence": "请简要写明整改成效"})
    _not_in_future(closed_on, "closed_on", today, measure.cycle)
    last = measure.progress.order_by("-done_on").values_list("done_on", flat=True).first()
    if last and closed_on < last:
        raise ValidationError({"closed_on": f"完成日期不能早于最后一次进展（{last:%Y-%m-%d}）"})
    meeting_on, meeting = _meeting_day_or_refuse(cycle=measure.cycle, branch=measure.branch)
    if closed_on < meeting_on:
        raise ValidationError({"closed_on": f"完成日期不能早于{meeting}"})
    measure.status = Measure.Status.DONE
    measure.closed_on = closed_on
    measure.evidence = evidence.strip()
    if photo:
        measure.photo = photo_reencoded(photo)
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def commitment_create(*, cycle: Cycle, member: Member, text: str, due_on: date) -> Commitment:
    """R6.1: a member's commitment, what and by when (not before the meeting)."""
    _refuse_closed(cycle=cycle, branch=member.branch)
    meeting_on, meeting = _meeting_day_or_refuse(cycle=cycle, branch=member.branch)
    if not member.is_active:
        raise ValidationError({"member": "该党员已不在本支部"})
    if due_on < meeting_on:
        raise ValidationError({"due_on": f"兑现时限不能早于{meeting}"})
    commitment = Commitment(cycle=cycle, member=member, text=text.strip(), due_on=due_on)
    commitment.full_clean()
    commitment.save()
    return commitment


# ---------------------------------------------------------------- R6.2 public and filed


@transaction.atomic
def publicity_record(
    *, cycle: Cycle, branch: Branch, published_on: date, means: str, note: str = "", today: date | None = None
) -> Publicity:
    """R6.2: the measures are made public to members and the masses."""
    _refuse_closed(cycle=cycle, branch=branch)
    if not Measure.objects.filter(cycle=cycle, branch=branch).exists():
        raise ValidationError("还没有整改措施，无可公开的内容")
    meeting_on, meeting = _meeting_day_or_refuse(cycle=cycle, branch=branch)
    if published_on < meeting_on:
        raise ValidationError({"published_on": f"公开日期不能早于{meeting}"})
    _not_in_future(published_on, "published_on", today, cycle)
    publicity = Publicity(
        cycle=cycle, branch=branch, published_on=published_on, means=means, note=note.strip()
    )
    publicity.full_clean()
    publicity.save()
    return publicity


@transaction.atomic
def filing_submit(*, cycle: Cycle, branch: Branch, filed_on: date, today: date | None = None) -> Filing:
    """R6.2: file the measures with the township; only measures already made public are filed.

    A returned filing is filed again once the branch has answered the township's comment.
    """
    _refuse_closed(cycle=cycle, branch=branch)
    if not Measure.objects.filter(cycle=cycle, branch=branch).exists():
        raise ValidationError("还没有整改措施，无可报备的内容")
    first_public = (
        Publicity.objects.filter(cycle=cycle, branch=branch)
        .order_by("published_on")
        .values_list("published_on", flat=True)
        .first()
    )
    if first_public is None:
        raise ValidationError("整改措施尚未向党员群众公开（没有公开日期），请先登记公开情况再报备（R6.2）")
    if filed_on < first_public:
        raise ValidationError({"filed_on": f"报备日期不能早于公开日期（{first_public:%Y-%m-%d}）"})
    _not_in_future(filed_on, "filed_on", today, cycle)
    filing = Filing.objects.select_for_update().filter(cycle=cycle, branch=branch).first()
    if filing is None:
        filing = Filing(cycle=cycle, branch=branch, filed_on=filed_on)
    elif filing.status == Filing.Status.RETURNED:
        raise ValidationError("镇党委退回了报备，请先答复镇党委的意见，再重新报备")
    elif filing.status in (Filing.Status.FILED, Filing.Status.ACKNOWLEDGED):
        raise ValidationError("整改措施已经报备，无需重复报备")
    else:
        filing.status = Filing.Status.FILED
        filing.filed_on = filed_on
        filing.times_filed += 1
    filing.full_clean()
    filing.save()
    return filing


def _township_reviews(filing_branch: Branch, township: Township) -> None:
    if filing_branch.township_id != township.pk:
        raise ValidationError("只能审阅本镇党委所辖党支部的报备")


@transaction.atomic
def filing_acknowledge(*, filing: Filing, township: Township, on: date, by=None) -> Filing:
    filing = Filing.objects.select_for_update().select_related("branch", "cycle").get(pk=filing.pk)
    _township_reviews(filing.branch, township)
    _refuse_closed(cycle=filing.cycle, branch=filing.branch)
    if filing.status != Filing.Status.FILED:
        raise ValidationError("只能审阅待审阅的报备")
    if on < filing.filed_on:
        raise ValidationError({"reviewed_on": "审阅日期不能早于报备日期"})
    filing.status = Filing.Status.ACKNOWLEDGED
    filing.reviewed_on, filing.reviewed_by = on, by
    filing.full_clean()
    filing.save()
    return filing


@transaction.atomic
def filing_return(*, filing: Filing, township: Township, on: date, comment: str, by=None) -> Filing:
    """The township sends the filing back with a comment the branch must answer."""
    filing = Filing.objects.select_for_update().select_related("branch", "cycle").get(pk=filing.pk)
    _township_reviews(filing.branch, township)
    _refuse_closed(cycle=filing.cycle, branch=filing.branch)
    if filing.status != Filing.Status.FILED:
        raise ValidationError("只能退回待审阅的报备")
    if not comment.strip():
        raise ValidationError({"comment": "退回时请写明意见"})
    if on < filing.filed_on:
        raise ValidationError({"reviewed_on": "审阅日期不能早于报备日期"})
    filing.status = Filing.Status.RETURNED
    filing.reviewed_on, filing.reviewed_by = on, by
    filing.comment = comment.strip()
    filing.answer, filing.answered_on = "", None
    filing.full_clean()
    filing.save()
    return filing


@transaction.atomic
def filing_answer(*, filing: Filing, on: date, answer: str) -> Filing:
    """The branch answers the township's comment; then it files again."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    _refuse_closed(cycle=filing.cycle, branch=filing.branch)
    if filing.status != Filing.Status.RETURNED:
        raise ValidationError("只有被退回的报备需要答复")
    if not answer.strip():
        raise ValidationError({"answer": "请填写对镇党委意见的答复"})
    if filing.reviewed_on and on < filing.reviewed_on:
        raise ValidationError({"answered_on": "答复日期不能早于退回日期"})
    filing.status = Filing.Status.ANSWERED
    filing.answer, filing.answered_on = answer.strip(), on
    filing.full_clean()
    filing.save()
    return filing


# ---------------------------------------------------------------- R6.4, R6.5 reports over time


@transaction.atomic
def half_year_report_record(
    *, cycle: Cycle, branch: Branch, reported_on: date, means: str, note: str = "", today: date | None = None
) -> HalfYearReport:
    """R6.4: the committee tells members and the masses how rectification went (due six months after the meeting).

    A late report is still recorded (better late than never); the rule check shows it as late.
    """
    _refuse_closed(cycle=cycle, branch=branch)
    held_on = _held_on_or_refuse(cycle=cycle, branch=branch)
    if reported_on < held_on:
        raise ValidationError({"reported_on": "通报日期不能早于组织生活会召开日期"})
    _not_in_future(reported_on, "reported_on", today, cycle)
    if HalfYearReport.objects.filter(cycle=cycle, branch=branch).exists():
        raise ValidationError("本年度的半年整改情况通报已经登记")
    report = HalfYearReport(
        cycle=cycle, branch=branch, reported_on=reported_on, means=means, note=note.strip()
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def quarterly_report_record(
    *,
    cycle: Cycle,
    member: Member,
    quarter: int,
    reported_on: date,
    venue: str,
    kept: str,
    by=None,
    today: date | None = None,
) -> QuarterlyReport:
    """R6.5: a member's quarterly report on their commitments; a quarter that has not started takes no report."""
    _refuse_closed(cycle=cycle, branch=member.branch)
    held_on = _held_on_or_refuse(cycle=cycle, branch=member.branch)
    if quarter not in QuarterlyReport.QUARTERS:
        raise ValidationError({"quarter": "季度应为会后第1至第4季度"})
    starts = quarter_start(held_on, quarter)
    if starts > (today or timezone.localdate()):
        raise ValidationError({"quarter": f"会后第{quarter}季度（{starts:%Y-%m-%d}起）尚未开始"})
    if reported_on < starts:
        raise ValidationError({"reported_on": f"报告日期不能早于该季度开始日期（{starts:%Y-%m-%d}）"})
    _not_in_future(reported_on, "reported_on", today, cycle)
    if not Commitment.objects.filter(cycle=cycle, member=member).exists():
        raise ValidationError({"member": "该党员没有整改承诺，无需报告兑现情况"})
    if QuarterlyReport.objects.filter(cycle=cycle, member=member, quarter=quarter).exists():
        raise ValidationError({"quarter": f"{member}会后第{quarter}季度的报告已经登记"})
    report = QuarterlyReport(
        cycle=cycle,
        member=member,
        quarter=quarter,
        reported_on=reported_on,
        venue=venue,
        kept=kept.strip(),
        recorded_by=by,
    )
    report.full_clean()
    report.save()
    return report


# ---------------------------------------------------------------- R6.6 the township corrects


@transaction.atomic
def correction_issue(
    *,
    cycle: Cycle,
    branch: Branch,
    township: Township,
    issued_on: date,
    text: str,
    measure: Measure | None = None,
    by=None,
) -> Correction:
    """R6.6: the township criticises and corrects a branch whose rectification is perfunctory or stalls."""
    if branch.township_id != township.pk:
        raise ValidationError("只能对本镇党委所辖党支部提出批评纠正")
    _refuse_closed(cycle=cycle, branch=branch)
    if measure is not None and (measure.branch_id != branch.pk or measure.cycle_id != cycle.pk):
        raise ValidationError({"measure": "所选整改措施不属于该支部"})
    if not text.strip():
        raise ValidationError({"text": "请写明批评纠正意见"})
    correction = Correction(
        cycle=cycle, branch=branch, measure=measure, issued_on=issued_on, text=text.strip(), issued_by=by
    )
    correction.full_clean()
    correction.save()
    return correction


@transaction.atomic
def correction_answer(*, correction: Correction, answered_on: date, answer: str) -> Correction:
    correction = Correction.objects.select_for_update().get(pk=correction.pk)
    _refuse_closed(cycle=correction.cycle, branch=correction.branch)
    if correction.is_answered:
        raise ValidationError("该批评纠正意见已经答复")
    if not answer.strip():
        raise ValidationError({"answer": "请填写答复"})
    if answered_on < correction.issued_on:
        raise ValidationError({"answered_on": "答复日期不能早于下达日期"})
    correction.answer, correction.answered_on = answer.strip(), answered_on
    correction.full_clean()
    correction.save()
    return correction


# ---------------------------------------------------------------- mistakes corrected (issue 13)
# The secretary edits or deletes a record entered by mistake. Each change is kept in the change history with who
# (simple-history's request middleware) and when; a record others have already seen — the measures once made public
# or filed with the township, a publicity record, a report made to the members — needs a short reason, stored with
# the history row. A closed year refuses every change (_refuse_closed), as the views' guard does.

REASON_MAX = 100  # simple-history's history_change_reason column


def _reason(reason: str, *, needed: str) -> str:
    """The short reason, required when `needed` says why (else optional)."""
    reason = (reason or "").strip()
    if needed and not reason:
        raise ValidationError({"reason": f"{needed}，修改或删除须简要说明理由"})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"理由请控制在{REASON_MAX}字以内"})
    return reason


def measures_seen_by_others(*, cycle: Cycle, branch: Branch) -> str:
    """Why the branch's measures count as seen by others ("" if they do not yet): made public (R6.2) or filed (R6.2)."""
    if Publicity.objects.filter(cycle=cycle, branch=branch).exists():
        return "整改措施已向党员群众公开"
    if Filing.objects.filter(cycle=cycle, branch=branch).exists():
        return "整改措施已报镇党委备案"
    return ""


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    text: str,
    responsible: Member,
    due_on: date,
    problems: Iterable[Problem] = (),
    talks: Iterable[Talk] = (),
    reason: str = "",
) -> Measure:
    """Reword a measure (also after the township sent it back), change who answers for it or by when, or what it aims
    at. The rules of measure_create hold for the new values."""
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    cycle, branch = measure.cycle, measure.branch
    _refuse_closed(cycle=cycle, branch=branch)
    reason = _reason(reason, needed=measures_seen_by_others(cycle=cycle, branch=branch))
    problems, talks = list(problems), list(talks)
    _measure_check(
        cycle=cycle, branch=branch, responsible=responsible, due_on=due_on, problems=problems, talks=talks
    )
    measure.text, measure.responsible, measure.due_on = text.strip(), responsible, due_on
    measure.full_clean()
    measure._change_reason = reason
    measure.save()
    measure.problems.set(problems)
    measure.talks.set(talks)
    return measure


@transaction.atomic
def measure_delete(*, measure: Measure, reason: str = "") -> None:
    """A measure entered by mistake goes, with its progress; one the township has corrected stays (answer it)."""
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    _refuse_closed(cycle=measure.cycle, branch=measure.branch)
    reason = _reason(reason, needed=measures_seen_by_others(cycle=measure.cycle, branch=measure.branch))
    if Correction.objects.filter(measure=measure).exists():
        raise ValidationError("镇党委已就这条整改措施提出批评纠正意见，不能删除；请修改措施并答复镇党委")
    for entry in measure.progress.all():
        entry._change_reason = reason
        entry.delete()
    measure._change_reason = reason
    measure.delete()


@transaction.atomic
def progress_delete(*, entry: ProgressEntry, reason: str = "") -> None:
    """A progress step recorded by mistake; a measure already closed keeps its record."""
    measure = Measure.objects.select_for_update().get(pk=entry.measure_id)
    _refuse_closed(cycle=measure.cycle, branch=measure.branch)
    if measure.is_done:
        raise ValidationError("该整改措施已完成销号，其进展记录不能删除")
    entry._change_reason = _reason(reason, needed="")
    entry.delete()
    if not measure.progress.exists() and measure.status == Measure.Status.IN_PROGRESS:
        measure.status = Measure.Status.NOT_STARTED
        measure._change_reason = entry._change_reason
        measure.save(update_fields=["status"])


def _commitment_seen(commitment: Commitment) -> str:
    if QuarterlyReport.objects.filter(cycle=commitment.cycle, member=commitment.member).exists():
        return "该党员已就承诺作过季度报告"
    return ""


@transaction.atomic
def commitment_update(*, commitment: Commitment, text: str, due_on: date, reason: str = "") -> Commitment:
    commitment = Commitment.objects.select_for_update().select_related("member__branch").get(pk=commitment.pk)
    branch = commitment.member.branch
    _refuse_closed(cycle=commitment.cycle, branch=branch)
    reason = _reason(reason, needed=_commitment_seen(commitment))
    meeting_on, meeting = _meeting_day_or_refuse(cycle=commitment.cycle, branch=branch)
    if due_on < meeting_on:
        raise ValidationError({"due_on": f"兑现时限不能早于{meeting}"})
    commitment.text, commitment.due_on = text.strip(), due_on
    commitment.full_clean()
    commitment._change_reason = reason
    commitment.save()
    return commitment


@transaction.atomic
def commitment_delete(*, commitment: Commitment, reason: str = "") -> None:
    commitment = Commitment.objects.select_for_update().select_related("member__branch").get(pk=commitment.pk)
    _refuse_closed(cycle=commitment.cycle, branch=commitment.member.branch)
    reason = _reason(reason, needed=_commitment_seen(commitment))
    others = Commitment.objects.filter(cycle=commitment.cycle, member=commitment.member).exclude(
        pk=commitment.pk
    )
    if not others.exists() and _commitment_seen(commitment):
        raise ValidationError("该党员已就这项承诺作过季度报告，不能删除其唯一的承诺；请修改承诺内容")
    commitment._change_reason = reason
    commitment.delete()


@transaction.atomic
def publicity_update(
    *, publicity: Publicity, published_on: date, means: str, note: str = "", reason: str = "", today=None
) -> Publicity:
    publicity = Publicity.objects.select_for_update().get(pk=publicity.pk)
    _refuse_closed(cycle=publicity.cycle, branch=publicity.branch)
    reason = _reason(reason, needed="公开情况已对外公布")
    meeting_on, meeting = _meeting_day_or_refuse(cycle=publicity.cycle, branch=publicity.branch)
    if published_on < meeting_on:
        raise ValidationError({"published_on": f"公开日期不能早于{meeting}"})
    _not_in_future(published_on, "published_on", today, publicity.cycle)
    publicity.published_on, publicity.means, publicity.note = published_on, means, note.strip()
    publicity.full_clean()
    publicity._change_reason = reason
    publicity.save()
    return publicity


@transaction.atomic
def publicity_delete(*, publicity: Publicity, reason: str = "") -> None:
    publicity = Publicity.objects.select_for_update().get(pk=publicity.pk)
    _refuse_closed(cycle=publicity.cycle, branch=publicity.branch)
    publicity._change_reason = _reason(reason, needed="公开情况已对外公布")
    publicity.delete()


@transaction.atomic
def quarterly_report_delete(*, report: QuarterlyReport, reason: str = "") -> None:
    """A quarterly report recorded for the wrong member or quarter: it was made before the members, so say why."""
    report = QuarterlyReport.objects.select_for_update().select_related("member__branch").get(pk=report.pk)
    _refuse_closed(cycle=report.cycle, branch=report.member.branch)
    report._change_reason = _reason(reason, needed="季度报告已在党员中作出")
    report.delete()
