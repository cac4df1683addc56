"""Every write of the democratic appraisal (R5). Each rule lives here once; views, admin and demo call these."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import OperationalError, transaction
from django.db.models import Count, F
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from branch import access
from branch.models import Branch, Cycle, Member, Participant
from branch.selectors import branch_cycle, cycle_member_filter, cycle_members, cycle_roster
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


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


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


@dataclass(frozen=True)
class SelfMutualEntry:
    """One line of the whole-table 个人自评/党员互评 page, as posted."""

    member_id: int
    self_done: bool
    mutual_done: bool
    self_points: str = ""
    mutual_points: str = ""


SELF_MUTUAL_FIELDS = ("self_done", "mutual_done", "self_points", "mutual_points")


def _stranger_message(*, cycle: Cycle, member_id: int, what: str) -> str:
    """A posted id outside the branch's roster: refused without naming anyone (it may be another branch's member)."""
    return f"提交的党员（编号 {member_id}）不在本支部{cycle.year}年度参加评议的党员名单中，不能{what}"


@transaction.atomic
def self_mutual_record_table(
    *, cycle: Cycle, branch: Branch, entries: list[SelfMutualEntry]
) -> list[SelfMutual]:
    """R5.1/R5.2 for the whole roster in one save: who took part, optional short points. All or nothing.

    Errors come keyed by member id (the page marks those rows) and under NON_FIELD_ERRORS for the table as a whole.
    Only lines that differ from what is stored are written (one history row each); a member with nothing ticked and
    no record stays without one.
    """
    _refuse_if_frozen(cycle=cycle, branch=branch)
    if Tally.objects.filter(cycle=cycle, branch=branch, is_closed=True).exists():
        raise ValidationError("民主测评已计票完成，不能再修改自评互评记录（R5.1 顺序）")
    roster = {m.pk: m for m in cycle_roster(cycle=cycle, branch=branch)}
    existing = {s.member_id: s for s in SelfMutual.objects.filter(cycle=cycle, member_id__in=roster)}
    errors: dict[str, list[str]] = defaultdict(list)
    changed: list[SelfMutual] = []
    created: list[SelfMutual] = []
    seen: set[int] = set()
    for e in entries:
        if e.member_id not in roster:
            errors[NON_FIELD_ERRORS].append(
                _stranger_message(cycle=cycle, member_id=e.member_id, what="记录")
            )
            continue
        if e.member_id in seen:
            continue
        seen.add(e.member_id)
        key = str(e.member_id)
        if e.mutual_done and not e.self_done:
            errors[key].append("R5.1：先个人自评，后党员互评")
        for name, label in (("self_points", "自评要点"), ("mutual_points", "互评要点")):
            if len(getattr(e, name)) > 300:
                errors[key].append(f"{label}不超过 300 字（现 {len(getattr(e, name))} 字）")
        values = {f: getattr(e, f) for f in SELF_MUTUAL_FIELDS}
        row = existing.get(e.member_id)
        if row is None:
            if any(values.values()):
                created.append(SelfMutual(cycle=cycle, member_id=e.member_id, **values))
        elif any(getattr(row, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(row, f, v)
            changed.append(row)
    if errors:
        raise ValidationError(_with_row_names(errors, {pk: m.name for pk, m in roster.items()}))
    for row in (*created, *changed):
        # cycle and member were checked for the whole roster above: no per-row query.
        row.full_clean(exclude=["cycle", "member"], validate_unique=False)
    bulk_create_with_history(created, SelfMutual)
    bulk_update_with_history(changed, SelfMutual, list(SELF_MUTUAL_FIELDS))
    return [*created, *changed]


def _with_row_names(errors: dict[str, list[str]], names: dict[int, str]) -> dict[str, list[str]]:
    """Row errors keep their member-id key (to mark the row) and are also listed on top with the member's name,
    in the table's order, so a phone user sees every reason without scrolling through the table."""
    top = list(errors.pop(NON_FIELD_ERRORS, []))
    for pk, name in names.items():
        for message in errors.get(str(pk), []):
            top.append(f"{name}：{message}")
    return {NON_FIELD_ERRORS: top, **errors}


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


def _lock_grading(*, cycle: Cycle, branch_id: int) -> None:
    """The first write of every grading transaction: the branch's tally row, bumped.

    On PostgreSQL the UPDATE takes the row lock (a second saver waits, then counts what the first one wrote); on SQLite
    it takes the database's write lock. Every count of 优秀 comes after it, so two committee members saving at the
    same moment, one row or the whole table, cannot pass the R5.5 cap together.
    """
    try:
        Tally.objects.filter(cycle=cycle, branch_id=branch_id).update(grade_version=F("grade_version") + 1)
    except (
        OperationalError
    ) as exc:  # SQLite without a busy wait (shared in-memory database): the other save holds it
        if "locked" not in str(exc):
            raise
        raise ValidationError("另一位支委正在保存评定，请再保存一次（R5.5 优秀人数须逐一核对）") from exc


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
    _lock_grading(cycle=cycle, branch_id=member.branch_id)
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


@dataclass(frozen=True)
class GradeEntry:
    """One line of the whole-table 组织评定 page, as posted: grade "" and opinion "" is a line left for later."""

    member_id: int
    grade: str
    opinion: str
    reason: str = ""


def _excellent_table_message(*, rated: int, cap: int, names: list[str], newly: int) -> str:
    """R5.5 on the whole table: the plain refusal of the single grade, the numbers, who the table names 优秀."""
    numbers = f"参评正式党员 {rated} 人，优秀最多 {cap} 人"
    if cap == 0:
        return f"参评正式党员不足 3 人，不能评为优秀（R5.5：{numbers}）；标出的 {newly} 行请改为其他等次"
    over = len(names) - cap
    return (
        f"优秀已满，不能再评为优秀（R5.5：{numbers}）。本表评为优秀 {len(names)} 人："
        + "、".join(names)
        + f"，多出 {over} 人。请把标出的行中 {over} 人改为其他等次"
    )


STALE_TABLE_MESSAGE = "另一位支委刚刚保存了组织评定，本表未保存。您填写的内容仍在下方，请与最新评定核对后再点保存（R5.5 优秀人数须逐一核对）"


@transaction.atomic
def grades_set_table(
    *,
    cycle: Cycle,
    branch: Branch,
    entries: list[GradeEntry],
    decided_on: date,
    decided_by: Member | None = None,
    seen_version: int | None = None,
) -> list[Grade]:
    """R5.4 every member's grade and 评定意见 in one save, all or nothing; R5.5 and R5.8 on the whole table.

    `seen_version` is the tally's grade_version the table was read at. A whole table rewrites every row, so a save by
    another committee member since then (one row or a table) refuses this one whole instead of silently overwriting it
    (a lost update that the R5.5 count alone cannot see: the loser's table may fit the cap on its own).

    The same lock as grade_set comes first (two savers are serialised before 优秀 are counted), then every check on
    the table as it would stand after the save. Errors come keyed by member id (the rows to mark) and under
    NON_FIELD_ERRORS. Only changed lines are written, with `decided_on` as their date; unchanged ones keep theirs.
    """
    _lock_grading(cycle=cycle, branch_id=branch.pk)
    _refuse_if_frozen(cycle=cycle, branch=branch)
    tally = (
        Tally.objects.select_for_update().filter(cycle=cycle, branch=branch).select_related("meeting").first()
    )
    if tally is None or not tally.is_closed:
        raise ValidationError("R5.1：组织评定须在民主测评计票完成之后")
    if seen_version is not None and tally.grade_version != seen_version + 1:  # +1: our own bump above
        raise ValidationError(STALE_TABLE_MESSAGE, code="stale")
    if decided_on < tally.meeting.held_on:
        raise ValidationError({"decided_on": "评定日期不能早于党员大会召开日期"})
    rated = {m.pk: m for m in rated_members(cycle=cycle, branch=branch).order_by("name")}
    posted_ids = {e.member_id for e in entries}
    # Posted ids off the grading table: the cycle's 预备党员 are named (R5.8), anyone else is not.
    probationary = dict(
        cycle_members(cycle=cycle, branch=branch)
        .filter(pk__in=posted_ids - set(rated))
        .values_list("pk", "name")
    )
    existing = {
        g.member_id: g
        for g in Grade.objects.filter(cycle=cycle, branch=branch).select_related("feedback", "follow_up")
    }
    errors: dict[str, list[str]] = defaultdict(list)
    final = {pk: g.grade for pk, g in existing.items() if pk in rated}
    newly_excellent: list[int] = []
    created: list[Grade] = []
    changed: list[Grade] = []
    dropped: list[int] = []
    seen: set[int] = set()
    for e in entries:
        key = str(e.member_id)
        if e.member_id not in rated:
            if e.member_id in probationary:
                errors[NON_FIELD_ERRORS].append(
                    f"{probationary[e.member_id]}：预备党员参加民主评议，但不评定等次（R5.8）"
                )
            else:
                errors[NON_FIELD_ERRORS].append(
                    _stranger_message(cycle=cycle, member_id=e.member_id, what="评定")
                )
            continue
        if e.member_id in seen:
            continue
        seen.add(e.member_id)
        old = existing.get(e.member_id)
        grade, opinion, reason = e.grade, e.opinion.strip(), e.reason.strip()
        if not grade and not opinion:
            if old is not None:
                errors[key].append(f"已评定为{old.get_grade_display()}，不能清空；如需改评，请选择新的等次")
            continue
        if grade not in GradeChoice.values:
            errors[key].append("请选择评定等次")
            continue
        if not opinion:
            errors[key].append("请填写评定意见")
        elif len(opinion) > 200:
            errors[key].append(f"评定意见不超过 200 字（现 {len(opinion)} 字）")
        final[e.member_id] = grade
        if grade == GradeChoice.EXCELLENT and (old is None or old.grade != GradeChoice.EXCELLENT):
            newly_excellent.append(e.member_id)
        if old is not None and old.grade == grade and old.opinion == opinion:
            continue  # unchanged: no write, no history row, its own date kept
        if old is not None and hasattr(old, "feedback") and not reason:
            errors[key].append(f"评定已于{_cn_date(old.feedback.given_on)}反馈本人，修改须填写变更理由")
        row = old or Grade(cycle=cycle, branch=branch, member_id=e.member_id)
        if old is not None and old.grade != grade and hasattr(old, "follow_up"):
            dropped.append(old.follow_up.pk)  # what follows belongs to the grade; a new grade needs its own
        row.grade, row.opinion, row.decided_on, row.decided_by = grade, opinion, decided_on, decided_by
        row.change_reason = reason if old is not None else ""
        (changed if old is not None else created).append(row)
    excellent = [pk for pk in rated if final.get(pk) == GradeChoice.EXCELLENT]
    cap = excellent_cap(len(rated))
    if newly_excellent and len(excellent) > cap:
        errors[NON_FIELD_ERRORS].insert(
            0,
            _excellent_table_message(
                rated=len(rated),
                cap=cap,
                names=[rated[pk].name for pk in excellent],
                newly=len(newly_excellent),
            ),
        )
        for pk in newly_excellent:
            errors[str(pk)].append("超出优秀名额（R5.5）")
    if errors:
        raise ValidationError(_with_row_names(errors, {pk: m.name for pk, m in rated.items()}))
    for row in (*created, *changed):
        # cycle, branch, member and the recorder were checked for the whole table above: no per-row query.
        row.full_clean(exclude=["cycle", "branch", "member", "decided_by"], validate_unique=False)
    if dropped:
        for follow_up in FollowUp.objects.filter(pk__in=dropped):
            follow_up.delete()  # one by one: each deletion kept in the follow-up's history
    bulk_create_with_history(created, Grade)
    bulk_update_with_history(
        changed, Grade, ["grade", "opinion", "decided_on", "decided_by", "change_reason"]
    )
    return [*created, *changed]


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


@transaction.atomic
def feedback_record_many(
    *, cycle: Cycle, branch: Branch, member_ids: list[int], given_on: date, means: str, by: Member | None
) -> list[Feedback]:
    """R5.6 for many members at once: one date, one way, one person. All or nothing.

    A member already fed back gets the new date, way and person (a correction); errors come keyed by member id.
    """
    _refuse_if_frozen(cycle=cycle, branch=branch)
    errors: dict[str, list[str]] = defaultdict(list)
    if not member_ids:
        errors[NON_FIELD_ERRORS].append("请勾选已反馈的党员")
    if by is None or by.branch_id != branch.pk:
        errors["by"].append("反馈人须是本支部党员")
    if means not in Feedback.Means.values:
        errors["means"].append("请选择反馈方式")
    grades = {
        g.member_id: g
        for g in Grade.objects.filter(cycle=cycle, branch=branch, member_id__in=member_ids).select_related(
            "member", "feedback"
        )
    }
    missing = [pk for pk in dict.fromkeys(member_ids) if pk not in grades]
    ungraded = dict(
        rated_members(cycle=cycle, branch=branch).filter(pk__in=missing).values_list("pk", "name")
    )
    for pk in missing:
        if pk in ungraded:
            errors[str(pk)].append("R5.6：尚未评定，不能反馈")
        else:
            errors[NON_FIELD_ERRORS].append(_stranger_message(cycle=cycle, member_id=pk, what="反馈"))
    for g in grades.values():
        if given_on < g.decided_on:
            errors[str(g.member_id)].append(f"反馈日期不能早于评定日期（{_cn_date(g.decided_on)}）")
    if errors:
        names = {pk: g.member.name for pk, g in grades.items()} | ungraded
        raise ValidationError(_with_row_names(errors, names))
    created: list[Feedback] = []
    changed: list[Feedback] = []
    for g in grades.values():
        old = getattr(g, "feedback", None)
        if old is not None and (old.given_on, old.means, old.by_id) == (given_on, means, by.pk):
            continue
        row = old or Feedback(grade=g)
        row.given_on, row.means, row.by = given_on, means, by
        row.full_clean(exclude=["grade", "by"], validate_unique=False)
        (changed if old is not None else created).append(row)
    bulk_create_with_history(created, Feedback)
    bulk_update_with_history(changed, Feedback, ["given_on", "means", "by"])
    return [*created, *changed]


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
