"""Every read of rectification (R6) that a page, a PDF, the township view, the rule checks or the archive needs."""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max, Min, Prefetch, QuerySet
from django.urls import get_script_prefix, reverse, set_script_prefix

from branch.checks import Check, Status
from branch.models import Branch, Cycle, Member
from branch.selectors import previous_cycle
from meetings.models import Meeting, Problem, Talk

from .dates import STALE_DAYS, half_year_due, quarter_end, quarter_start, quarters_started, today_for
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

OVERDUE_LABEL = "逾期"


def display_status(measure: Measure, day: date) -> str:
    """未开始 / 推进中 / 已完成, or 逾期 when past due and not done."""
    if measure.is_overdue_on(day):
        return OVERDUE_LABEL
    return measure.get_status_display()


def last_activity(measure: Measure) -> date:
    """The last progress entry, or the day the measure was set (needs the `last_progress` annotation)."""
    return max(d for d in (measure.last_progress, measure.created_on) if d)


def is_stale(measure: Measure, day: date) -> bool:
    """R6.6: an open measure with no progress for 90 days."""
    return not measure.is_done and (day - last_activity(measure)).days >= STALE_DAYS


def measures(*, cycle: Cycle, branch: Branch) -> QuerySet[Measure]:
    return (
        Measure.objects.filter(cycle=cycle, branch=branch)
        .select_related("responsible")
        .annotate(last_progress=Max("progress__done_on"))
        .prefetch_related(
            Prefetch("problems", queryset=Problem.objects.select_related("member")),
            Prefetch("talks", queryset=Talk.objects.select_related("by", "with_member")),
        )
        .order_by("due_on", "pk")
    )


def aimed_at(measure: Measure) -> list[str]:
    """What the measure answers, as the public notice lists it: the problems' words, then the opinions heard in talks,
    each line once — a problem is often written down in the very words of a talk, and the notice must not say it twice.
    Needs the `problems` and `talks` prefetch of `measures()`."""
    lines: list[str] = []
    seen: set[str] = set()
    texts = [p.text for p in measure.problems.all()]
    for t in measure.talks.all():
        texts += [t.opinions_on_branch, t.opinions_on_committee]
    for text in texts:
        key = "".join(text.split()).rstrip("。；;，,.")
        if key and key not in seen:
            seen.add(key)
            lines.append(text.strip())
    return lines


def measure_rows(*, cycle: Cycle, branch: Branch, day: date) -> list[dict]:
    return [
        {
            "measure": m,
            "aimed_at": aimed_at(m),
            "status": display_status(m, day),
            "overdue": m.is_overdue_on(day),
            "stale": is_stale(m, day),
        }
        for m in measures(cycle=cycle, branch=branch)
    ]


def measure_detail(*, measure_id: int, branch: Branch, cycle: Cycle) -> Measure:
    """One measure of the branch's cycle: a measure of another year is not found under this year's address."""
    return (
        Measure.objects.filter(branch=branch, cycle=cycle)
        .select_related("responsible", "cycle")
        .annotate(last_progress=Max("progress__done_on"))
        .prefetch_related(
            Prefetch("progress", queryset=ProgressEntry.objects.select_related("recorded_by")),
            Prefetch("problems", queryset=Problem.objects.select_related("member")),
            Prefetch("talks", queryset=Talk.objects.select_related("by", "with_member")),
            "corrections",
        )
        .get(pk=measure_id)
    )


def problems_to_aim_at(*, cycle: Cycle, branch: Branch) -> QuerySet[Problem]:
    return (
        Problem.objects.filter(cycle=cycle, branch=branch).select_related("member").order_by("member", "pk")
    )


def opinions_to_aim_at(*, cycle: Cycle, branch: Branch) -> QuerySet[Talk]:
    """Talks in which opinions were heard (R2.2): those are what a measure may answer."""
    return (
        Talk.objects.filter(cycle=cycle, branch=branch)
        .exclude(opinions_on_branch="", opinions_on_committee="")
        .select_related("by", "with_member")
        .order_by("held_on", "pk")
    )


def commitments(*, cycle: Cycle, branch: Branch) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(cycle=cycle, member__branch=branch)
        .select_related("member")
        .order_by("member__name", "due_on", "pk")
    )


def publicity(*, cycle: Cycle, branch: Branch) -> list[Publicity]:
    return list(Publicity.objects.filter(cycle=cycle, branch=branch).order_by("published_on", "pk"))


def filing(*, cycle: Cycle, branch: Branch) -> Filing | None:
    return Filing.objects.filter(cycle=cycle, branch=branch).select_related("reviewed_by").first()


def corrections(*, cycle: Cycle, branch: Branch) -> list[Correction]:
    return list(
        Correction.objects.filter(cycle=cycle, branch=branch)
        .select_related("measure")
        .order_by("issued_on", "pk")
    )


# ---------------------------------------------------------------- R6.4 half-year report


@dataclass
class HalfYear:
    held_on: date | None
    due_on: date | None
    report: HalfYearReport | None
    days_left: int | None  # negative: late

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left and self.days_left < 0 else 0

    @property
    def on_time(self) -> bool:
        return self.report is not None and self.due_on is not None and self.report.reported_on <= self.due_on


def half_year(*, cycle: Cycle, branch: Branch, day: date, held_on: date | None) -> HalfYear:
    report = HalfYearReport.objects.filter(cycle=cycle, branch=branch).first()
    due = half_year_due(held_on) if held_on else None
    return HalfYear(held_on, due, report, (due - day).days if due else None)


def half_year_progress(*, cycle: Cycle, branch: Branch, until: date) -> list[dict]:
    """The half-year report is generated from the entries (R0.4: no essays): each measure with its steps up to a day."""
    rows = []
    for m in measures(cycle=cycle, branch=branch).prefetch_related(
        Prefetch(
            "progress", queryset=ProgressEntry.objects.filter(done_on__lte=until).order_by("done_on", "pk")
        )
    ):
        done = m.closed_on is not None and m.closed_on <= until
        rows.append(
            {
                "measure": m,
                "steps": list(m.progress.all()),
                "done": done,
                "status": "已完成" if done else ("逾期" if m.due_on < until else "推进中"),
            }
        )
    return rows


# ---------------------------------------------------------------- R6.5 quarterly grid


@dataclass
class QuarterCell:
    quarter: int
    starts: date
    started: bool
    report: QuarterlyReport | None

    @property
    def missing(self) -> bool:
        return self.started and self.report is None


@dataclass
class QuarterRow:
    member: Member
    commitments: list[Commitment]
    cells: list[QuarterCell] = field(default_factory=list)


def quarterly_grid(*, cycle: Cycle, branch: Branch, day: date, held_on: date | None) -> list[QuarterRow]:
    """Members with a commitment × quarters after the meeting; a started quarter with no report is missing."""
    by_member: dict[int, QuarterRow] = {}
    for c in commitments(cycle=cycle, branch=branch):
        by_member.setdefault(c.member_id, QuarterRow(c.member, [])).commitments.append(c)
    reports = {
        (r.member_id, r.quarter): r
        for r in QuarterlyReport.objects.filter(cycle=cycle, member__branch=branch)
    }
    for row in by_member.values():
        for q in QuarterlyReport.QUARTERS:
            starts = quarter_start(held_on, q) if held_on else None
            row.cells.append(
                QuarterCell(q, starts, bool(starts and starts <= day), reports.get((row.member.pk, q)))
            )
    return sorted(by_member.values(), key=lambda r: r.member.name)


def quarter_headers(held_on: date | None) -> list[dict]:
    if held_on is None:
        return [{"quarter": q, "starts": None, "ends": None} for q in QuarterlyReport.QUARTERS]
    return [
        {"quarter": q, "starts": quarter_start(held_on, q), "ends": quarter_end(held_on, q)}
        for q in QuarterlyReport.QUARTERS
    ]


def my_rectification(*, cycle: Cycle, member: Member, day: date) -> dict:
    """For /me/: the member's commitments and which quarters still wait for their report."""
    mine = list(Commitment.objects.filter(cycle=cycle, member=member).order_by("due_on", "pk"))
    if not mine:
        return {"commitments": [], "quarters": [], "held_on": None}
    held_on = meeting_dates(cycle=cycle, branches=[member.branch_id]).get(member.branch_id)
    reports = {r.quarter: r for r in QuarterlyReport.objects.filter(cycle=cycle, member=member)}
    quarters = []
    if held_on and mine:
        for q in quarters_started(held_on, day):
            quarters.append({"quarter": q, "starts": quarter_start(held_on, q), "report": reports.get(q)})
    return {"commitments": mine, "quarters": quarters, "held_on": held_on}


# ---------------------------------------------------------------- all branches at once (township view, checks)


def meeting_dates(*, cycle: Cycle, branches) -> dict[int, date]:
    return dict(
        Meeting.objects.filter(cycle=cycle, branch__in=branches, held_on__isnull=False).values_list(
            "branch_id", "held_on"
        )
    )


@dataclass
class BranchRectification:
    branch: Branch
    held_on: date | None
    planned_on: date | None = None
    measures: list[Measure] = field(default_factory=list)
    filing: Filing | None = None
    public_on: date | None = None
    half_year: HalfYearReport | None = None
    corrections: list[Correction] = field(default_factory=list)
    committed_members: dict[int, date | None] = field(default_factory=dict)  # member id -> left the branch on
    member_names: dict[int, str] = field(default_factory=dict)
    reports: set[tuple[int, int]] = field(default_factory=set)  # (member id, quarter)
    day: date | None = None

    @property
    def overdue(self) -> list[Measure]:
        return [m for m in self.measures if m.is_overdue_on(self.day)]

    @property
    def stale(self) -> list[Measure]:
        return [m for m in self.measures if is_stale(m, self.day)]

    @property
    def done_count(self) -> int:
        return sum(1 for m in self.measures if m.is_done)

    @property
    def nothing_filed(self) -> bool:
        return self.filing is None

    @property
    def open_corrections(self) -> list[Correction]:
        return [c for c in self.corrections if not c.is_answered]

    @property
    def half_year_due(self) -> date | None:
        return half_year_due(self.held_on) if self.held_on else None

    def quarters_owed(self, member_id: int) -> list[int]:
        """The quarters a member with a commitment has started and not reported on (R6.5). A member who left the
        branch owes only the quarters that started before they left: a later move changes nothing in a past cycle."""
        if not self.held_on or member_id not in self.committed_members:
            return []
        left_on = self.committed_members[member_id]
        return [
            q
            for q in quarters_started(self.held_on, self.day)
            if (member_id, q) not in self.reports
            and (left_on is None or quarter_start(self.held_on, q) < left_on)
        ]

    @property
    def missing_quarterly(self) -> int:
        return sum(len(self.quarters_owed(m)) for m in self.committed_members)

    def status_rows(self) -> list[dict]:
        return [
            {
                "measure": m,
                "status": display_status(m, self.day),
                "overdue": m.is_overdue_on(self.day),
                "stale": is_stale(m, self.day),
            }
            for m in self.measures
        ]


def branches_rectification(*, cycle: Cycle, branches, day: date) -> dict[int, BranchRectification]:
    """Everything R6 of many branches in a fixed number of queries (7), whatever their number."""
    branches = list(branches)
    ids = [b.pk for b in branches]
    meetings = {
        branch_id: (held_on, planned_on)
        for branch_id, held_on, planned_on in Meeting.objects.filter(
            cycle=cycle, branch_id__in=ids
        ).values_list("branch_id", "held_on", "planned_on")
    }
    out = {}
    for b in branches:
        held_on, planned_on = meetings.get(b.pk, (None, None))
        out[b.pk] = BranchRectification(branch=b, held_on=held_on, planned_on=planned_on, day=day)
    for m in (
        Measure.objects.filter(cycle=cycle, branch_id__in=ids)
        .select_related("responsible")
        .annotate(last_progress=Max("progress__done_on"))
        .order_by("due_on", "pk")
    ):
        out[m.branch_id].measures.append(m)
    for f in Filing.objects.filter(cycle=cycle, branch_id__in=ids):
        out[f.branch_id].filing = f
    for branch_id, first in (
        Publicity.objects.filter(cycle=cycle, branch_id__in=ids)
        .values("branch_id")
        .annotate(first=Min("published_on"))
        .values_list("branch_id", "first")
    ):
        out[branch_id].public_on = first
    for r in HalfYearReport.objects.filter(cycle=cycle, branch_id__in=ids):
        out[r.branch_id].half_year = r
    for c in Correction.objects.filter(cycle=cycle, branch_id__in=ids).select_related("measure"):
        out[c.branch_id].corrections.append(c)
    for branch_id, member_id, left_on, name in Commitment.objects.filter(
        cycle=cycle, member__branch_id__in=ids
    ).values_list("member__branch_id", "member_id", "member__left_on", "member__name"):
        out[branch_id].committed_members[member_id] = left_on
        out[branch_id].member_names[member_id] = name
    for branch_id, member_id, quarter in QuarterlyReport.objects.filter(
        cycle=cycle, member__branch_id__in=ids
    ).values_list("member__branch_id", "member_id", "quarter"):
        out[branch_id].reports.add((member_id, quarter))
    return out


def township_view(*, cycle: Cycle, township, day: date) -> list[BranchRectification]:
    branches = Branch.objects.filter(township=township).order_by("name")
    return list(branches_rectification(cycle=cycle, branches=branches, day=day).values())


def summary(*, cycle: Cycle, branches, day: date | None = None) -> dict[int, dict]:
    """For the township overview (xinyi.overview): measures filed with the township, and measures overdue."""
    data = branches_rectification(cycle=cycle, branches=branches, day=today_for(cycle, day))
    return {
        pk: {"filed": len(r.measures) if r.filing else 0, "overdue": len(r.overdue)} for pk, r in data.items()
    }


# ---------------------------------------------------------------- rule checks (R6.1–R6.6)


def checks(*, cycle: Cycle, branches, day: date | None = None) -> dict[int, list[Check]]:
    day = today_for(cycle, day)
    data = branches_rectification(cycle=cycle, branches=branches, day=day)
    url = reverse("rectification_home")
    return {pk: _branch_checks(r, url) for pk, r in data.items()}


def _branch_checks(r: BranchRectification, url: str) -> list[Check]:
    results = []
    if not r.held_on and not r.measures:
        reason = "组织生活会尚未召开，整改从会后开始"
        return [
            Check(rule, Status.WARN, reason, url) for rule in ("R6.1", "R6.2", "R6.3", "R6.4", "R6.5", "R6.6")
        ]
    # R6.1 measures and commitments
    if not r.measures:
        results.append(Check("R6.1", Status.FAIL, "尚未制定整改措施", url))
    elif not r.committed_members:
        results.append(
            Check("R6.1", Status.WARN, f"整改措施 {len(r.measures)} 条，党员尚未作出整改承诺", url)
        )
    else:
        results.append(
            Check(
                "R6.1",
                Status.PASS,
                f"整改措施 {len(r.measures)} 条，{len(r.committed_members)} 名党员作出承诺",
                url,
            )
        )
    # R6.2 public and filed
    if not r.public_on:
        results.append(Check("R6.2", Status.FAIL, "整改措施尚未向党员群众公开", url))
    elif r.filing is None:
        results.append(Check("R6.2", Status.FAIL, "整改措施已公开，尚未向镇党委报备", url))
    elif r.filing.status == Filing.Status.ACKNOWLEDGED:
        results.append(
            Check("R6.2", Status.PASS, f"已公开并报备，镇党委已审阅（{r.filing.reviewed_on:%Y-%m-%d}）", url)
        )
    else:
        results.append(Check("R6.2", Status.WARN, f"报备状态：{r.filing.get_status_display()}", url))
    # R6.3 the secretary answers for the measures: every one on time
    overdue = r.overdue
    if overdue:
        results.append(Check("R6.3", Status.FAIL, f"{len(overdue)} 条整改措施逾期未完成", url))
    elif r.measures:
        results.append(
            Check("R6.3", Status.PASS, f"已完成 {r.done_count} / {len(r.measures)} 条，无逾期", url)
        )
    else:
        results.append(Check("R6.3", Status.WARN, "没有可跟踪的整改措施", url))
    # R6.4 the half-year report
    due = r.half_year_due
    if due is None:
        results.append(Check("R6.4", Status.WARN, "组织生活会尚未召开，半年通报从会后起算", url))
    elif r.half_year and r.half_year.reported_on <= due:
        results.append(
            Check(
                "R6.4",
                Status.PASS,
                f"半年通报于 {r.half_year.reported_on:%Y-%m-%d}（期限 {due:%Y-%m-%d}）",
                url,
            )
        )
    elif r.half_year:
        results.append(Check("R6.4", Status.WARN, f"半年通报晚于期限 {due:%Y-%m-%d}", url))
    elif r.day > due:
        results.append(Check("R6.4", Status.FAIL, f"半年通报已过期限 {due:%Y-%m-%d}，尚未通报", url))
    else:
        results.append(
            Check("R6.4", Status.WARN, f"半年通报期限 {due:%Y-%m-%d}，还有 {(due - r.day).days} 天", url)
        )
    # R6.5 quarterly reports by members with commitments
    missing = r.missing_quarterly
    if not r.held_on:
        results.append(Check("R6.5", Status.WARN, "组织生活会尚未召开，季度报告从会后起算", url))
    elif missing:
        results.append(Check("R6.5", Status.FAIL, f"缺少 {missing} 份党员季度承诺兑现报告", url))
    elif r.committed_members:
        results.append(Check("R6.5", Status.PASS, "作出承诺的党员均已按季度报告", url))
    else:
        results.append(Check("R6.5", Status.WARN, "没有作出承诺的党员", url))
    # R6.6 stalled rectification and the township's corrections
    stale, open_ = r.stale, r.open_corrections
    if open_:
        results.append(Check("R6.6", Status.FAIL, f"镇党委批评纠正意见 {len(open_)} 条待答复", url))
    elif stale:
        results.append(Check("R6.6", Status.WARN, f"{len(stale)} 条整改措施 {STALE_DAYS} 天无进展", url))
    else:
        results.append(Check("R6.6", Status.PASS, "整改没有停滞，批评纠正均已答复", url))
    return results


# ---------------------------------------------------------------- archive (R7.2)


def archive_context(*, cycle: Cycle, branch: Branch) -> dict:
    day = today_for(cycle)
    held_on = meeting_dates(cycle=cycle, branches=[branch.pk]).get(branch.pk)
    rows = measure_rows(cycle=cycle, branch=branch, day=day)
    progress = list(
        ProgressEntry.objects.filter(measure__cycle=cycle, measure__branch=branch)
        .select_related("measure")
        .order_by("done_on", "pk")
    )
    return {
        "rect_day": day,
        "rect_held_on": held_on,
        "rect_measures": rows,
        "rect_commitments": list(commitments(cycle=cycle, branch=branch)),
        "rect_publicity": publicity(cycle=cycle, branch=branch),
        "rect_filing": filing(cycle=cycle, branch=branch),
        "rect_progress": progress,
        "rect_half_year": half_year(cycle=cycle, branch=branch, day=day, held_on=held_on),
        "rect_quarter_headers": quarter_headers(held_on),
        "rect_quarterly": quarterly_grid(cycle=cycle, branch=branch, day=day, held_on=held_on),
        "rect_corrections": corrections(cycle=cycle, branch=branch),
    }


# ---------------------------------------------------------------- one cycle seen from the next (R6.3, R4.1, R5.1)

_YEAR_AT_END = re.compile(r"[12][0-9]{3}/$")


@contextmanager
def under_year(year: int):
    """`reverse()` answers under another cycle's year while inside (the next year's dashboard links to last year's
    pages): the year is the script prefix (xinyi.middleware.YearMiddleware), so only its last segment changes."""
    before = get_script_prefix()
    set_script_prefix(f"{_YEAR_AT_END.sub('', before)}{year}/")
    try:
        yield
    finally:
        set_script_prefix(before)


def _d(day: date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def _quarters(qs: list[int]) -> str:
    return "、".join(str(q) for q in qs)


@dataclass
class _CycleRecord:
    """Everything of one branch's rectification in one cycle that the providers below tell: a fixed number of queries."""

    cycle: Cycle
    r: BranchRectification
    last_progress: dict[int, ProgressEntry]
    commitments: dict[int, list[Commitment]]  # member id -> their commitments

    def quarters_due(self, member_id: int) -> list[int]:
        """The quarters a member was to report on (started while they were in the branch)."""
        r = self.r
        if not r.held_on:
            return []
        left_on = r.committed_members.get(member_id)
        return [
            q
            for q in quarters_started(r.held_on, r.day)
            if left_on is None or quarter_start(r.held_on, q) < left_on
        ]

    def reports_line(self, member_id: int) -> tuple[str, bool]:
        """ "已报告 x/y 个季度" and whether a quarter is still unreported (the commitment is open)."""
        due = self.quarters_due(member_id)
        owed = self.r.quarters_owed(member_id)
        if not self.r.held_on:
            return "组织生活会尚未召开，季度报告未开始", False
        text = f"季度兑现报告已报告 {len(due) - len(owed)}/{len(due)} 个季度"
        if owed:
            text += f"（第{_quarters(owed)}季度未报告）"
        return text, bool(owed)


def _cycle_record(*, cycle: Cycle, branch: Branch, day: date | None = None) -> _CycleRecord:
    day = today_for(cycle, day)
    r = branches_rectification(cycle=cycle, branches=[branch], day=day)[branch.pk]
    last_progress = {
        e.measure_id: e
        for e in ProgressEntry.objects.filter(measure__cycle=cycle, measure__branch=branch).order_by(
            "done_on", "pk"
        )
    }
    by_member: dict[int, list[Commitment]] = {}
    for c in Commitment.objects.filter(cycle=cycle, member__branch=branch).order_by("due_on", "pk"):
        by_member.setdefault(c.member_id, []).append(c)
    return _CycleRecord(cycle=cycle, r=r, last_progress=last_progress, commitments=by_member)


def _correction_line(c: Correction) -> str:
    line = f"镇党委批评纠正（{_d(c.issued_on)}）：{c.text}"
    if c.is_answered:
        return f"{line}；支部答复（{_d(c.answered_on)}）：{c.answer}"
    return f"{line}；支部尚未答复"


def last_year_annex(*, cycle: Cycle, branch: Branch, day: date | None = None) -> list[str]:
    """The generated 上年度整改落实情况 the next 述职 carries (R6.3, R4.1): the previous cycle's measures with their
    status, last progress and evidence, the township's corrections and the branch's answers, the half-year report and
    the members' commitment reports. [] when the branch has no previous cycle. Judged as of `day` (today), clamped to
    the end of the previous cycle's tail. A fixed number of queries (11)."""
    prev = previous_cycle(cycle=cycle, township_id=branch.township_id)
    if prev is None:
        return []
    rec = _cycle_record(cycle=prev, branch=branch, day=day)
    r = rec.r
    lines = []
    if r.measures:
        lines.append(
            f"{prev.year}年度整改措施 {len(r.measures)} 条：已完成 {r.done_count} 条，"
            f"未完成 {len(r.measures) - r.done_count} 条（其中逾期 {len(r.overdue)} 条）。"
        )
    else:
        lines.append(f"{prev.year}年度没有登记整改措施。")
    by_measure: dict[int, list[Correction]] = {}
    for c in r.corrections:
        by_measure.setdefault(c.measure_id, []).append(c)
    for i, m in enumerate(r.measures, 1):
        line = f"{i}. {m.text}（责任人：{m.responsible.name}，完成时限 {_d(m.due_on)}）：{display_status(m, r.day)}"
        if m.is_done:
            line += f"（{_d(m.closed_on)}）"
        step = rec.last_progress.get(m.pk)
        line += f"；最后进展：{_d(step.done_on)} {step.text}" if step else "；尚无进展记录"
        if m.is_done:
            line += f"；整改成效：{m.evidence}" + ("（照片1张）" if m.photo else "（无照片）")
        lines.append(line + "。")
        lines.extend(f"   {_correction_line(c)}" for c in by_measure.get(m.pk, []))
    lines.extend(_correction_line(c) for c in by_measure.get(None, []))
    f = r.filing
    if f is not None and f.comment:
        line = f"镇党委对整改措施报备的意见（{_d(f.reviewed_on)}）：{f.comment}"
        line += f"；支部答复（{_d(f.answered_on)}）：{f.answer}" if f.answer else "；支部尚未答复"
        lines.append(line)
    if r.held_on:
        due = r.half_year_due
        if r.half_year:
            when = "按期" if r.half_year.reported_on <= due else "晚于期限"
            lines.append(
                f"半年整改情况通报：{_d(r.half_year.reported_on)} 通过{r.half_year.get_means_display()}通报"
                f"（期限 {_d(due)}，{when}）。"
            )
        else:
            lines.append(f"半年整改情况通报：尚未通报（期限 {_d(due)}）。")
    if rec.commitments:
        lines.append(f"党员承诺兑现报告：{len(rec.commitments)} 名党员作出整改承诺。")
        for member_id in sorted(rec.commitments, key=lambda pk: r.member_names[pk]):
            texts = "；".join(c.text for c in rec.commitments[member_id])
            reported, _ = rec.reports_line(member_id)
            lines.append(f"{r.member_names[member_id]}：{texts}——{reported}。")
    else:
        lines.append("党员没有作出整改承诺。")
    return lines


def commitments_beside(*, cycle: Cycle, branch: Branch, day: date | None = None) -> dict[int, list[str]]:
    """Per member, their commitments of the previous cycle and how they reported on them (R6.5), for this cycle's
    self-appraisal (R5.1) and grading (R5.3). A commitment is flagged 【未兑现】 while a quarter that started is
    unreported: nothing on record says it was kept. {} without a previous cycle. A fixed number of queries."""
    prev = previous_cycle(cycle=cycle, township_id=branch.township_id)
    if prev is None:
        return {}
    rec = _cycle_record(cycle=prev, branch=branch, day=day)
    out = {}
    for member_id, mine in rec.commitments.items():
        reported, open_ = rec.reports_line(member_id)
        flag = "【未兑现】" if open_ else ""
        out[member_id] = [f"{flag}{prev.year}年度承诺：{c.text}（{_d(c.due_on)} 前兑现）" for c in mine] + [
            f"{prev.year}年度{reported}"
        ]
    return out


@dataclass(frozen=True)
class Owed:
    """One thing a cycle still owes, with the address (under that cycle's year) where it is done."""

    text: str
    url: str


def owed(*, cycle: Cycle, branch: Branch, day: date | None = None) -> list[Owed]:
    """What a branch's cycle still owes as of `day` (clamped to the cycle's tail): unreported quarterly reports of
    members with commitments (R6.5), open measures (R6.1, R6.3), a missing half-year report (R6.4), unanswered
    corrections (R6.6). The next cycle's dashboard shows it for the previous one. A fixed number of queries (8)."""
    r = branches_rectification(cycle=cycle, branches=[branch], day=today_for(cycle, day))[branch.pk]
    out = []
    with under_year(cycle.year):
        quarterly = reverse("rectification_quarterly")
        for member_id in sorted(r.committed_members, key=lambda pk: r.member_names[pk]):
            qs = r.quarters_owed(member_id)
            if qs:
                out.append(
                    Owed(
                        f"{r.member_names[member_id]}：会后第{_quarters(qs)}季度承诺兑现情况未报告", quarterly
                    )
                )
        for m in r.measures:
            if not m.is_done:
                late = "已逾期，" if m.is_overdue_on(r.day) else ""
                out.append(
                    Owed(f"整改措施未完成：{m.text}（{late}完成时限 {_d(m.due_on)}）", m.get_absolute_url())
                )
        if r.held_on and r.half_year is None:
            due = r.half_year_due
            state = "已过期限" if r.day > due else "期限"
            out.append(
                Owed(f"半年整改情况通报尚未登记（{state} {_d(due)}）", reverse("rectification_half_year"))
            )
        corrections_url = reverse("rectification_correction_list")
        out.extend(
            Owed(f"镇党委批评纠正意见待答复：{c.text}（{_d(c.issued_on)} 下达）", corrections_url)
            for c in r.open_corrections
        )
    return out
