"""Every write of the democratic appraisal (R5). Each rule lives here once; views, admin and demo call these."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.db.models import Count, F

from branch import access
from branch.models import Branch, Cycle, Member, Participant
from branch.selectors import branch_cycle, cycle_member_filter, cycle_members
from meetings.models import Meeting, MeetingAttendance

from .models import (
    BallotMark,
    BallotSheet,
    CommitteeMark,
    Feedback,
    FollowUp,
    Grade,
    GradeChoice,
    SelfMutual,
    Tally,
    TallyTotal,
)

GRADE_FIELDS = {
    GradeChoice.EXCELLENT: "excellent",
    GradeChoice.QUALIFIED: "qualified",
    GradeChoice.BASIC: "basic",
    GradeChoice.UNQUALIFIED: "unqualified",
}


def rated_members(*, cycle: Cycle, branch: Branch):
    """The members on the ballot for a grade: the cycle's 正式党员 (R5.8: 预备党员 are not rated).

    Once the roster is fixed (the meeting day), its list and its statuses: a later transfer, 转正 or new member changes
    nothing. Before that, today's active full members.
    """
    if branch_cycle(branch=branch, cycle=cycle).roster_fixed_on is None:
        return cycle_member_filter(cycle=cycle, branch=branch, status=Member.Status.FULL)
    # One condition on this cycle's own participation row: a status filter chained onto a join of `participations`
    # would also match the member's row of another year (a 2019 正式 who was 预备 in 2018).
    full = Participant.objects.filter(cycle=cycle, branch=branch, status=Member.Status.FULL)
    return Member.objects.filter(pk__in=full.values("member_id"))


def _refuse_if_frozen(*, cycle: Cycle, branch: Branch, tail: bool = False) -> None:
    """A closed cycle is frozen; while the next one is open, only its tail stays writable (R7.2)."""
    reason = access.cycle_write_refusal(cycle=cycle, branch=branch, tail=tail)
    if reason:
        raise ValidationError(reason)


def _in_roster(*, cycle: Cycle, member: Member) -> bool:
    return cycle_members(cycle=cycle, branch=member.branch).filter(pk=member.pk).exists()


def excellent_cap(rated: int) -> int:
    """R5.5 "一般不超过三分之一": at most ⌊rated / 3⌋."""
    return rated // 3


def _excellent_full_message(*, rated: int, cap: int, holders: list[str]) -> str:
    """The R5.5 refusal in plain words first, then the numbers and who already holds the places."""
    numbers = f"参评正式党员 {rated} 人，优秀最多 {cap} 人"
    if cap == 0:
        return f"参评正式党员不足 3 人，不能评为优秀（R5.5：{numbers}）"
    return (
        f"优秀已满，不能再评为优秀（R5.5：{numbers}）。已评为优秀的 {len(holders)} 人："
        + "、".join(holders)
        + "。如需改评，请先修改其中一人的等次"
    )


# ---- R5.1 / R5.2 self and mutual appraisal ----


@transaction.atomic
def self_mutual_record(
    *,
    cycle: Cycle,
    member: Member,
    self_done: bool,
    mutual_done: bool,
    self_points: str = "",
    mutual_points: str = "",
) -> SelfMutual:
    _refuse_if_frozen(cycle=cycle, branch=member.branch)
    if mutual_done and not self_done:
        raise ValidationError({"mutual_done": "R5.1：先个人自评，后党员互评"})
    if not _in_roster(cycle=cycle, member=member):
        raise ValidationError(f"{member.name} 不在{cycle.year}年度参加评议的党员名单中")
    if Tally.objects.filter(cycle=cycle, branch_id=member.branch_id, is_closed=True).exists():
        raise ValidationError("民主测评已计票完成，不能再修改自评互评记录（R5.1 顺序）")
    row = SelfMutual.objects.filter(cycle=cycle, member=member).first() or SelfMutual(
        cycle=cycle, member=member
    )
    row.self_done, row.mutual_done = self_done, mutual_done
    row.self_points, row.mutual_points = self_points, mutual_points
    row.full_clean()
    row.save()
    return row


# ---- R5.3 the tally ----


def present_count(meeting: Meeting) -> int:
    return MeetingAttendance.objects.filter(meeting=meeting, status=MeetingAttendance.Status.PRESENT).count()


def _members_missing_self_mutual(*, cycle: Cycle, meeting: Meeting) -> list[str]:
    present = MeetingAttendance.objects.filter(meeting=meeting, status=MeetingAttendance.Status.PRESENT)
    done = SelfMutual.objects.filter(cycle=cycle, self_done=True, mutual_done=True).values("member_id")
    return list(
        present.exclude(member_id__in=done).order_by("member__name").values_list("member__name", flat=True)
    )


@transaction.atomic
def tally_open(
    *,
    cycle: Cycle,
    branch: Branch,
    issued: int,
    returned: int,
    invalid: int,
    mode: str = Tally.Mode.BALLOTS,
) -> Tally:
    """Record the ballots of the meeting. Issued ≤ members present; valid = returned − invalid. R5.1: after self/mutual."""
    _refuse_if_frozen(cycle=cycle, branch=branch)
    meeting = Meeting.objects.filter(cycle=cycle, branch=branch).first()
    if meeting is None or not meeting.is_held:
        raise ValidationError("组织生活会（党员大会）尚未召开，不能录入民主测评")
    missing = _members_missing_self_mutual(cycle=cycle, meeting=meeting)
    if missing:
        names = "、".join(missing[:5]) + ("等" if len(missing) > 5 else "")
        raise ValidationError(
            f"R5.1：民主测评须在个人自评、党员互评之后；尚未完成：{names}（{len(missing)} 人）"
        )
    tally = Tally.objects.select_for_update().filter(cycle=cycle, branch=branch).first()
    if tally and tally.is_closed:
        raise ValidationError("计票已完成，不能修改")
    errors = {}
    present = present_count(meeting)
    if issued > present:
        errors["issued"] = f"发出票数 {issued} 张，超过到会党员 {present} 人"
    if returned > issued:
        errors["returned"] = f"收回票数 {returned} 张，超过发出票数 {issued} 张"
    if invalid > returned:
        errors["invalid"] = f"无效票 {invalid} 张，超过收回票数 {returned} 张"
    if errors:
        raise ValidationError(errors)
    valid = returned - invalid
    if tally is None:
        tally = Tally(cycle=cycle, branch=branch, meeting=meeting)
    elif tally.mode != mode and (tally.sheets.exists() or tally.totals.exists()):
        raise ValidationError({"mode": "已按另一种方式录入了结果，逐张录入与汇总数不能同时使用"})
    if tally.pk and tally.mode == Tally.Mode.BALLOTS and tally.sheets.count() > valid:
        raise ValidationError({"invalid": f"已录入 {tally.sheets.count()} 张有效票，多于有效票数 {valid}"})
    tally.mode, tally.issued, tally.returned, tally.invalid, tally.valid = (
        mode,
        issued,
        returned,
        invalid,
        valid,
    )
    if mode == Tally.Mode.BALLOTS and tally.pk:
        _recount_committee(tally)
    tally.full_clean()
    tally.save()
    if mode == Tally.Mode.TOTALS:
        _check_totals(tally)
    return tally


def _open_tally(tally: Tally, mode: str) -> Tally:
    tally = Tally.objects.select_for_update().get(pk=tally.pk)
    _refuse_if_frozen(cycle=tally.cycle, branch=tally.branch)
    if tally.is_closed:
        raise ValidationError("计票已完成，不能修改")
    if tally.mode != mode:
        raise ValidationError("逐张录入与汇总数不能同时使用：本次测评的录入方式是" + tally.get_mode_display())
    return tally


def _recount_committee(tally: Tally) -> None:
    counts = dict(
        tally.sheets.exclude(committee_mark="").values_list("committee_mark").annotate(n=Count("pk"))
    )
    tally.committee_satisfied = counts.get(CommitteeMark.SATISFIED, 0)
    tally.committee_basic = counts.get(CommitteeMark.BASIC, 0)
    tally.committee_unsatisfied = counts.get(CommitteeMark.UNSATISFIED, 0)


@transaction.atomic
def ballot_enter(
    *, tally: Tally, marks: dict[int, str], notes: dict[int, str] | None = None, committee_mark: str = ""
) -> BallotSheet:
    """One valid paper ballot: a grade per rated member (blank = no mark), the committee mark. No voter anywhere."""
    tally = _open_tally(tally, Tally.Mode.BALLOTS)
    entered = tally.sheets.count()
    if entered >= tally.valid:
        raise ValidationError(f"已录入 {entered} 张，等于有效票数 {tally.valid}，不能再录入")
    rated = set(rated_members(cycle=tally.cycle, branch=tally.branch).values_list("pk", flat=True))
    unknown = set(marks) - rated
    if unknown:
        raise ValidationError("测评票上只能评价本支部正式党员（R5.8：预备党员不评定等次）")
    bad = {g for g in marks.values() if g and g not in GradeChoice.values}
    if bad or (committee_mark and committee_mark not in CommitteeMark.values):
        raise ValidationError("测评等次不正确")
    sheet = BallotSheet(tally=tally, committee_mark=committee_mark)
    sheet.full_clean()
    sheet.save(force_insert=True)
    notes = notes or {}
    rows = [
        BallotMark(sheet=sheet, member_id=mid, grade=g, note=(notes.get(mid) or "")[:100])
        for mid, g in marks.items()
        if g
    ]
    BallotMark.objects.bulk_create(rows)
    _store_committee_counts(tally)
    return sheet


def _store_committee_counts(tally: Tally) -> None:
    """The committee counts after one ballot, written without tally.save(): a history row per ballot (who, when,
    "满意 29 → 30") would give each sheet's committee mark and its time. tally_close saves the final counts once."""
    _recount_committee(tally)
    Tally.objects.filter(pk=tally.pk).update(
        committee_satisfied=tally.committee_satisfied,
        committee_basic=tally.committee_basic,
        committee_unsatisfied=tally.committee_unsatisfied,
    )


@transaction.atomic
def ballot_delete(*, tally: Tally, sheet_id: int) -> None:
    """Undo a ballot the teller just typed (a slip). Which one was last is known to the teller's browser only."""
    tally = _open_tally(tally, Tally.Mode.BALLOTS)
    deleted, _ = tally.sheets.filter(pk=sheet_id).delete()
    if not deleted:
        raise ValidationError("这张测评票已撤销或不存在")
    _store_committee_counts(tally)


def _check_totals(tally: Tally) -> None:
    over = []
    for t in tally.totals.select_related("member"):
        s = t.excellent + t.qualified + t.basic + t.unqualified
        if s > tally.valid:
            over.append(f"{t.member.name} 共 {s} 票")
    if over:
        raise ValidationError(f"每名党员的得票合计不能超过有效票数 {tally.valid}：" + "；".join(over))


@transaction.atomic
def totals_enter(
    *, tally: Tally, totals: dict[int, dict[str, int]], committee: dict[str, int] | None = None
) -> Tally:
    """Totals per rated member ({member_id: {"excellent": n, ...}}) and the committee counts. All or nothing."""
    tally = _open_tally(tally, Tally.Mode.TOTALS)
    rated = set(rated_members(cycle=tally.cycle, branch=tally.branch).values_list("pk", flat=True))
    if set(totals) - rated:
        raise ValidationError("只能为本支部正式党员录入测评票数（R5.8：预备党员不评定等次）")
    errors = []
    names = dict(Member.objects.filter(pk__in=totals).values_list("pk", "name"))
    for mid, counts in totals.items():
        if any(v < 0 for v in counts.values()):
            errors.append(f"{names[mid]}：票数不能为负")
        elif sum(counts.values()) > tally.valid:
            errors.append(f"{names[mid]}：得票合计 {sum(counts.values())} 超过有效票数 {tally.valid}")
    committee = committee or {}
    if sum(committee.values()) > tally.valid:
        errors.append(f"对支委会的评价合计 {sum(committee.values())} 超过有效票数 {tally.valid}")
    if errors:
        raise ValidationError(errors)
    for mid, counts in totals.items():
        TallyTotal.objects.update_or_create(tally=tally, member_id=mid, defaults=counts)
    tally.committee_satisfied = committee.get("satisfied", 0)
    tally.committee_basic = committee.get("basic", 0)
    tally.committee_unsatisfied = committee.get("unsatisfied", 0)
    tally.full_clean()
    tally.save()
    return tally


@transaction.atomic
def tally_close(*, tally: Tally) -> Tally:
    """计票完成: the arithmetic must add up; grading may start (R5.1)."""
    tally = Tally.objects.select_for_update().get(pk=tally.pk)
    _refuse_if_frozen(cycle=tally.cycle, branch=tally.branch)
    if tally.mode == Tally.Mode.BALLOTS:
        entered = tally.sheets.count()
        if entered != tally.valid:
            raise ValidationError(f"已录入 {entered} 张测评票，有效票数为 {tally.valid} 张，两者须相等")
        _recount_committee(tally)
    else:
        if tally.totals.count() != rated_members(cycle=tally.cycle, branch=tally.branch).count():
            raise ValidationError("还有正式党员没有录入测评票数")
        _check_totals(tally)
    tally.is_closed = True
    tally.save()  # the one history row of the count: its final totals
    return tally


# ---- R5.4, R5.5, R5.8 grades ----


@transaction.atomic
def grade_set(
    *,
    cycle: Cycle,
    member: Member,
    grade: str,
    opinion: str,
    decided_on: date,
    decided_by: Member | None = None,
    reason: str = "",
) -> Grade:
    """The committee's grade for one full member. The one place R5.5 is enforced.

    The branch's tally row is written first (a lock on PostgreSQL via select_for_update, and the write lock on SQLite),
    so two committee members saving at the same moment are serialised before the 优秀 are counted.
    """
    if grade not in GradeChoice.values:
        raise ValidationError({"grade": "请选择评定等次"})
    try:
        Tally.objects.filter(cycle=cycle, branch_id=member.branch_id).update(
            grade_version=F("grade_version") + 1
        )
    except (
        OperationalError
    ) as exc:  # SQLite without a busy wait (shared in-memory database): the other save holds it
        if "locked" not in str(exc):
            raise
        raise ValidationError("另一位支委正在保存评定，请再保存一次（R5.5 优秀人数须逐一核对）") from exc
    # Every read comes after that first write: on SQLite a transaction that has read cannot take the write lock later.
    branch = member.branch
    _refuse_if_frozen(cycle=cycle, branch=branch)
    if not rated_members(cycle=cycle, branch=branch).filter(pk=member.pk).exists():
        if _in_roster(cycle=cycle, member=member):
            raise ValidationError("R5.8：预备党员参加民主评议，但不评定等次")
        raise ValidationError(f"该党员不在{cycle.year}年度参加评议的党员名单中，不参加本次评定")
    tally = Tally.objects.select_for_update().filter(cycle=cycle, branch_id=member.branch_id).first()
    if tally is None or not tally.is_closed:
        raise ValidationError("R5.1：组织评定须在民主测评计票完成之后")
    if decided_on < tally.meeting.held_on:
        raise ValidationError({"decided_on": "评定日期不能早于党员大会召开日期"})
    existing = Grade.objects.filter(cycle=cycle, member=member).select_related("feedback").first()
    fed_back = existing is not None and hasattr(existing, "feedback")
    changed = existing is not None and (existing.grade != grade or existing.opinion != opinion)
    if fed_back and changed and not reason.strip():
        raise ValidationError({"reason": "评定已反馈本人，修改须填写理由"})
    if grade == GradeChoice.EXCELLENT and (existing is None or existing.grade != GradeChoice.EXCELLENT):
        rated = rated_members(cycle=cycle, branch=branch).count()
        cap = excellent_cap(rated)
        holders = list(
            Grade.objects.filter(cycle=cycle, branch_id=member.branch_id, grade=GradeChoice.EXCELLENT)
            .order_by("member__name")
            .values_list("member__name", flat=True)
        )
        if len(holders) + 1 > cap:
            raise ValidationError({"grade": _excellent_full_message(rated=rated, cap=cap, holders=holders)})
    if existing and existing.grade != grade and hasattr(existing, "follow_up"):
        existing.follow_up.delete()  # what follows belongs to the grade; a new grade needs its own
    row = existing or Grade(cycle=cycle, branch_id=member.branch_id, member=member)
    row.grade, row.opinion, row.decided_on, row.decided_by = grade, opinion, decided_on, decided_by
    row.change_reason = reason.strip() if existing else ""
    row.full_clean()
    row.save()
    return row


# ---- R5.6 feedback, R5.7 what follows ----


@transaction.atomic
def feedback_record(*, grade: Grade | None, given_on: date, means: str, by: Member) -> Feedback:
    if grade is None:
        raise ValidationError("R5.6：尚未评定，不能反馈")
    _refuse_if_frozen(cycle=grade.cycle, branch=grade.branch)
    if given_on < grade.decided_on:
        raise ValidationError({"given_on": "反馈日期不能早于评定日期"})
    if by.branch_id != grade.branch_id:
        raise ValidationError({"by": "反馈人须是本支部党员"})
    row = Feedback.objects.filter(grade=grade).first() or Feedback(grade=grade)
    row.given_on, row.means, row.by = given_on, means, by
    row.full_clean()
    row.save()
    return row


FOLLOW_UP_FIELDS = {
    GradeChoice.EXCELLENT: ("commendation", "commended_on"),
    GradeChoice.QUALIFIED: ("strengths", "hopes"),
    GradeChoice.BASIC: ("helper", "help_content", "check_on", "second_check_on", "help_result"),
    GradeChoice.UNQUALIFIED: ("handling", "deadline", "progress"),
}
FOLLOW_UP_REQUIRED = {
    GradeChoice.EXCELLENT: {"commendation": "请填写表扬褒奖方式"},
    GradeChoice.QUALIFIED: {"hopes": "请填写希望和要求"},
    GradeChoice.BASIC: {
        "helper": "请确定帮扶人",
        "help_content": "请填写帮扶内容",
        "check_on": "请确定检查日期",
    },
    GradeChoice.UNQUALIFIED: {"handling": "请选择组织处置方式"},
}


@transaction.atomic
def follow_up_record(*, grade: Grade, **fields) -> FollowUp:
    """R5.7: only the fields that fit the grade are kept; the ones the grade needs are required.

    Help (基本合格) and handling (不合格) run on after the meeting, into the next year like the rectification tail, so
    they stay writable until the cycle is closed.
    """
    _refuse_if_frozen(cycle=grade.cycle, branch=grade.branch, tail=True)
    allowed = FOLLOW_UP_FIELDS[grade.grade]
    unknown = set(fields) - {f for fs in FOLLOW_UP_FIELDS.values() for f in fs}
    if unknown:
        raise TypeError(f"unknown follow-up fields: {sorted(unknown)}")
    row = FollowUp.objects.filter(grade=grade).first() or FollowUp(grade=grade)
    for f in allowed:
        setattr(row, f, fields.get(f, getattr(row, f)))
    errors = {f: msg for f, msg in FOLLOW_UP_REQUIRED[grade.grade].items() if not getattr(row, f)}
    if row.handling == FollowUp.Handling.CORRECT and not row.deadline:
        errors["deadline"] = "限期改正须确定改正期限"
    if row.helper_id and row.helper_id == grade.member_id:
        errors["helper"] = "帮扶人不能是本人"
    if row.check_on and row.check_on < grade.decided_on:
        errors["check_on"] = "检查日期不能早于评定日期"
    if errors:
        raise ValidationError(errors)
    row.full_clean()
    row.save()
    return row
