"""Every read before the meeting: study (R1), talks and their coverage (R2), problems (R3).

Coverage is computed from the talks, never typed. Each read costs a fixed number of queries whatever the branch size:
the per-branch logic runs in Python over rows fetched once (see `_coverage`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from branch.checks import Check, Status
from branch.models import Branch, CommitteePost, Cycle, Member
from branch.selectors import branch_roster, cycle_rosters

from ..models import Meeting, Problem, RequiredMaterial, StudyAttendance, StudySession, Talk

# ---------------------------------------------------------------- R1 study


def study_sessions(*, cycle: Cycle, branch: Branch) -> QuerySet[StudySession]:
    return (
        StudySession.objects.filter(cycle=cycle, branch=branch)
        .select_related("leader")
        .prefetch_related("materials")
        .annotate(
            present_count=Count("attendance", filter=Q(attendance__present=True)),
            absent_count=Count("attendance", filter=Q(attendance__present=False)),
            undelivered_count=Count(
                "attendance", filter=Q(attendance__present=False, attendance__delivered_on__isnull=True)
            ),
        )
        .order_by("held_on", "pk")
    )


def study_session_detail(*, session: StudySession) -> list[StudyAttendance]:
    """The attendance of one session: present first, then the absent with their delivery (R1.3)."""
    return list(
        session.attendance.select_related("member", "delivered_by").order_by("-present", "member__name")
    )


@dataclass
class MaterialCoverage:
    material: RequiredMaterial
    sessions: list[StudySession]

    @property
    def covered(self) -> bool:
        return bool(self.sessions)


def material_coverage(*, cycle: Cycle, branch: Branch) -> list[MaterialCoverage]:
    """R1.2: each required material with the sessions that studied it; an empty list means not yet covered."""
    materials = list(RequiredMaterial.objects.filter(cycle=cycle).order_by("order", "pk"))
    through = StudySession.materials.through.objects.filter(
        studysession__cycle=cycle, studysession__branch=branch
    ).select_related("studysession")
    by_material: dict[int, list[StudySession]] = defaultdict(list)
    for row in through.order_by("studysession__held_on"):
        by_material[row.requiredmaterial_id].append(row.studysession)
    return [MaterialCoverage(m, by_material.get(m.pk, [])) for m in materials]


def deliveries(*, cycle: Cycle, branch: Branch) -> list[StudyAttendance]:
    """R1.3: every absence of the cycle, undelivered first, each with when, how and by whom the materials went."""
    return list(
        StudyAttendance.objects.filter(session__cycle=cycle, session__branch=branch, present=False)
        .select_related("session", "member", "delivered_by")
        .order_by(F("delivered_on").asc(nulls_first=True), "session__held_on", "member__name")
    )


def signin_roster(*, session: StudySession) -> list[Member]:
    """The members printed on the sign-in sheet (签到表): the cycle's own roster, by 党小组 then name."""
    return branch_roster(cycle=session.cycle, branch=session.branch, by_group=True)


# ---------------------------------------------------------------- R2 talks


def talks(*, cycle: Cycle, branch: Branch) -> QuerySet[Talk]:
    return (
        Talk.objects.filter(cycle=cycle, branch=branch)
        .select_related("by", "with_member")
        .prefetch_related(Prefetch("problems", queryset=Problem.objects.order_by("pk")))
        .order_by("-held_on", "-pk")
    )


@dataclass(frozen=True)
class MissingTalk:
    """One talk still to hold; `by` is who should hold it (None: any committee member)."""

    rules: tuple[str, ...]
    by: Member | None
    with_: Member
    text: str

    @property
    def url(self) -> str:
        query = f"?with={self.with_.pk}"
        if self.by is not None:
            query += f"&by={self.by.pk}"
        return reverse("talk_create") + query

    @property
    def rule_label(self) -> str:
        return "、".join(self.rules)


@dataclass
class CoverageCell:
    committee_member: Member
    talks: list[Talk]
    is_self: bool
    required: bool  # this very pair must have talked (committee pair, or 书记 × focus member)

    @property
    def missing(self) -> bool:
        return self.required and not self.talks

    @property
    def dates(self) -> str:
        return " ".join(f"{t.held_on.month}/{t.held_on.day}" for t in self.talks)


@dataclass
class CoverageRow:
    member: Member
    post: str  # the member's own committee post, "" for an ordinary member
    cells: list[CoverageCell]
    covered: bool  # R2.1: at least one talk with a committee member


@dataclass
class TalkCoverage:
    cycle: Cycle
    branch: Branch
    day: date  # the committee as it stands on this day
    committee: list[CommitteePost]
    secretary: Member | None
    rows: list[CoverageRow]
    committee_pairs_missing: list[tuple[Member, Member]] = field(default_factory=list)
    members_without_talk: list[Member] = field(default_factory=list)
    focus_without_secretary: list[Member] = field(default_factory=list)
    committee_without_secretary: list[Member] = field(default_factory=list)
    secretary_leads: bool = True  # R2.4: the secretary's first talk is no later than anyone else's
    talk_count: int = 0
    missing: list[MissingTalk] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and self.secretary is not None


def _coverage_day(cycle: Cycle, meeting: Meeting | None) -> date:
    if meeting is not None and meeting.held_on:
        return meeting.held_on
    return min(timezone.localdate(), cycle.deadline)


def _coverage(
    *,
    cycle: Cycle,
    branch: Branch,
    day: date,
    posts: list[CommitteePost],
    members: list[Member],
    talk_rows: list[Talk],
) -> TalkCoverage:
    """The coverage of R2.1, R2.3 and R2.4 from rows already fetched: no query here."""
    post_order = {p: i for i, p in enumerate(CommitteePost.Post.values)}
    posts = sorted(posts, key=lambda p: (post_order.get(p.post, 99), p.member.name))
    committee = [p.member for p in posts]
    committee_ids = {m.pk for m in committee}
    post_of = {p.member_id: p.get_post_display() for p in posts}
    secretary = next((p.member for p in posts if p.post == CommitteePost.Post.SECRETARY), None)

    between: dict[frozenset, list[Talk]] = defaultdict(list)
    talked_with_committee: set[int] = set()
    first_talk: dict[int, date] = {}
    for t in talk_rows:
        between[frozenset((t.by_id, t.with_member_id))].append(t)
        if t.by_id in committee_ids:
            talked_with_committee.add(t.with_member_id)
        if t.with_member_id in committee_ids:
            talked_with_committee.add(t.by_id)
        if t.by_id not in first_talk or t.held_on < first_talk[t.by_id]:
            first_talk[t.by_id] = t.held_on

    cov = TalkCoverage(
        cycle=cycle,
        branch=branch,
        day=day,
        committee=posts,
        secretary=secretary,
        rows=[],
        talk_count=len(talk_rows),
    )
    # Committee first, in post order; then the members by name.
    ordered = committee + sorted((m for m in members if m.pk not in committee_ids), key=lambda m: m.name)
    columns = [(c, c.pk) for c in committee]
    secretary_id = secretary.pk if secretary else None
    for m in ordered:
        mid, focus = m.pk, m.is_focus
        on_committee = mid in committee_ids
        cells = []
        for c, cid in columns:
            if cid == mid:
                cells.append(CoverageCell(c, [], True, False))
                continue
            required = on_committee or (focus and cid == secretary_id)
            cells.append(CoverageCell(c, between.get(frozenset((cid, mid)), []), False, required))
        row = CoverageRow(m, post_of.get(mid, ""), cells, mid in talked_with_committee)
        cov.rows.append(row)
        if on_committee:
            continue
        if not row.covered:
            cov.members_without_talk.append(m)
            cov.missing.append(MissingTalk(("R2.1",), None, m, f"党员{m.name}尚未与任何支委谈话"))
        if secretary is not None and focus and not between.get(frozenset((secretary_id, mid))):
            cov.focus_without_secretary.append(m)
            labels = "、".join(m.focus_labels)
            cov.missing.append(
                MissingTalk(("R2.3",), secretary, m, f"重点党员{m.name}（{labels}）尚未与书记谈话")
            )

    pair_missing = []
    for i, a in enumerate(committee):
        for b in committee[i + 1 :]:
            if not between.get(frozenset((a.pk, b.pk))):
                cov.committee_pairs_missing.append((a, b))
                with_secretary = secretary_id in (a.pk, b.pk)
                if with_secretary:
                    other = b if a.pk == secretary_id else a
                    cov.committee_without_secretary.append(other)
                    pair_missing.append(
                        MissingTalk(
                            ("R2.1", "R2.4"),
                            secretary,
                            other,
                            f"书记{secretary.name}尚未与支委{other.name}谈话",
                        )
                    )
                else:
                    pair_missing.append(
                        MissingTalk(("R2.1",), a, b, f"支委{a.name}与支委{b.name}之间尚未谈话")
                    )
    # The committee's own talks come first in the list: the secretary leads (R2.4).
    cov.missing[:0] = pair_missing
    if secretary is not None and first_talk:
        secretary_first = first_talk.get(secretary_id)
        cov.secretary_leads = secretary_first is not None and secretary_first <= min(first_talk.values())
    return cov


def _posts_on(day: date, branch_ids: Iterable[int]) -> QuerySet[CommitteePost]:
    return (
        CommitteePost.objects.filter(branch_id__in=list(branch_ids), term_start__lte=day)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=day))
        .select_related("member")
    )


def _talks_before(cycle: Cycle, branch_ids: Iterable[int]) -> QuerySet[Talk]:
    return Talk.objects.filter(cycle=cycle, branch_id__in=list(branch_ids)).order_by("held_on", "pk")


def _counted(talk_rows: Iterable[Talk], meeting: Meeting | None) -> list[Talk]:
    """Talks prepare the meeting: a talk dated after it does not count for this cycle."""
    if meeting is None or meeting.held_on is None:
        return list(talk_rows)
    return [t for t in talk_rows if t.held_on <= meeting.held_on]


def talk_coverage(*, cycle: Cycle, branch: Branch) -> TalkCoverage:
    """R2.1, R2.3, R2.4: the matrix (members × committee) and what is missing. Five queries for any branch.

    The members and their focus categories (R2.3) are the cycle's own roster: a member who transferred out or
    became a focus member after the meeting changes nothing in it.
    """
    meeting = Meeting.objects.filter(cycle=cycle, branch=branch).first()
    day = _coverage_day(cycle, meeting)
    posts = list(_posts_on(day, [branch.pk]))
    members = branch_roster(cycle=cycle, branch=branch)
    talk_rows = _counted(_talks_before(cycle, [branch.pk]), meeting)
    return _coverage(cycle=cycle, branch=branch, day=day, posts=posts, members=members, talk_rows=talk_rows)


# ---------------------------------------------------------------- R3 problems


@dataclass
class MemberProblems:
    member: Member
    problems: list[Problem]


@dataclass
class ProblemLists:
    committee: list[Problem]
    committee_areas_missing: list[str]  # the R3.1 areas with no problem yet (a prompt, not a rule)
    members: list[MemberProblems]  # every member of the cycle's roster, with or without problems

    @property
    def members_without(self) -> list[Member]:
        return [mp.member for mp in self.members if not mp.problems]


def problem_lists(*, cycle: Cycle, branch: Branch) -> ProblemLists:
    problems = list(
        Problem.objects.filter(cycle=cycle, branch=branch)
        .select_related("member")
        .prefetch_related(Prefetch("talks", queryset=Talk.objects.select_related("by", "with_member")))
        .order_by("area", "pk")
    )
    members = branch_roster(cycle=cycle, branch=branch)
    by_member: dict[int, list[Problem]] = defaultdict(list)
    committee = []
    for p in problems:
        if p.member_id is None:
            committee.append(p)
        else:
            by_member[p.member_id].append(p)
    area_order = {a: i for i, a in enumerate(Problem.Area.values)}
    committee.sort(key=lambda p: (area_order[p.area], p.pk))
    covered_areas = {p.area for p in committee}
    missing_areas = [str(Problem.Area(a).label) for a in Problem.COMMITTEE_AREAS if a not in covered_areas]
    return ProblemLists(
        committee=committee,
        committee_areas_missing=missing_areas,
        members=[MemberProblems(m, by_member.get(m.pk, [])) for m in members],
    )


def member_problems(*, cycle: Cycle, member: Member) -> list[Problem]:
    return list(Problem.objects.filter(cycle=cycle, member=member).order_by("area", "pk"))


# ---------------------------------------------------------------- rule checks for the dashboard


def checks(*, cycle: Cycle, branches: Iterable[Branch]) -> dict[int, list[Check]]:
    """R1.1–R1.3, R2.1, R2.3, R2.4, R3.1, R3.2 for every branch, in a fixed number of queries."""
    branches = list(branches)
    ids = [b.pk for b in branches]
    if not ids:
        return {}
    meetings = {m.branch_id: m for m in Meeting.objects.filter(cycle=cycle, branch_id__in=ids)}
    session_counts = dict(
        StudySession.objects.filter(cycle=cycle, branch_id__in=ids)
        .values_list("branch_id")
        .annotate(n=Count("pk"))
        .values_list("branch_id", "n")
    )
    materials = list(RequiredMaterial.objects.filter(cycle=cycle).order_by("order", "pk"))
    covered: dict[int, set[int]] = defaultdict(set)
    for branch_id, material_id in StudySession.materials.through.objects.filter(
        studysession__cycle=cycle, studysession__branch_id__in=ids
    ).values_list("studysession__branch_id", "requiredmaterial_id"):
        covered[branch_id].add(material_id)
    undelivered: dict[int, list[str]] = defaultdict(list)
    for branch_id, name in (
        StudyAttendance.objects.filter(
            session__cycle=cycle, session__branch_id__in=ids, present=False, delivered_on__isnull=True
        )
        .order_by("member__name")
        .values_list("session__branch_id", "member__name")
    ):
        if name not in undelivered[branch_id]:
            undelivered[branch_id].append(name)
    # Coverage needs the committee on each branch's own day: fetch posts on any day, filter in Python.
    # Grouped by branch once: scanning every post of the township for each branch was quadratic.
    posts_of: dict[int, list[CommitteePost]] = defaultdict(list)
    for p in CommitteePost.objects.filter(branch_id__in=ids).select_related("member"):
        posts_of[p.branch_id].append(p)
    members = cycle_rosters(cycle=cycle, branch_ids=ids)
    talk_rows: dict[int, list[Talk]] = defaultdict(list)
    for t in _talks_before(cycle, ids):
        talk_rows[t.branch_id].append(t)
    committee_problems: dict[int, int] = defaultdict(int)
    members_with_problems: dict[int, set[int]] = defaultdict(set)
    for branch_id, member_id, n in (
        Problem.objects.filter(cycle=cycle, branch_id__in=ids)
        .values_list("branch_id", "member_id")
        .annotate(n=Count("pk"))
        .values_list("branch_id", "member_id", "n")
    ):
        if member_id is None:
            committee_problems[branch_id] += n
        else:
            members_with_problems[branch_id].add(member_id)

    study_url, talk_url, problem_url = (
        reverse("study_list"),
        reverse("talk_coverage"),
        reverse("problem_list"),
    )
    result: dict[int, list[Check]] = {}
    for b in branches:
        meeting = meetings.get(b.pk)
        day = _coverage_day(cycle, meeting)
        posts = [p for p in posts_of[b.pk] if p.is_current_on(day)]
        cov = _coverage(
            cycle=cycle,
            branch=b,
            day=day,
            posts=posts,
            members=members[b.pk],
            talk_rows=_counted(talk_rows[b.pk], meeting),
        )
        out = []
        n_sessions = session_counts.get(b.pk, 0)
        out.append(
            Check("R1.1", Status.PASS, f"已组织集中学习{n_sessions}次", study_url)
            if n_sessions
            else Check("R1.1", Status.FAIL, "尚未组织集中学习", study_url)
        )
        not_covered = [m.title for m in materials if m.pk not in covered[b.pk]]
        if not materials:
            out.append(
                Check(
                    "R1.2",
                    Status.FAIL,
                    f"{cycle.year}年度尚未列出必学内容，请先确定本年度的必学内容",
                    study_url,
                )
            )
        elif not_covered:
            out.append(Check("R1.2", Status.FAIL, f"必学内容尚未学习：{'、'.join(not_covered)}", study_url))
        else:
            out.append(Check("R1.2", Status.PASS, f"{len(materials)}项必学内容均已学习", study_url))
        if undelivered[b.pk]:
            out.append(
                Check("R1.3", Status.FAIL, f"缺席党员尚未送学：{'、'.join(undelivered[b.pk])}", study_url)
            )
        else:
            out.append(Check("R1.3", Status.PASS, "缺席党员均已送学", study_url))
        out.extend(_coverage_checks(cov, talk_url))
        n_committee = committee_problems[b.pk]
        out.append(
            Check("R3.1", Status.PASS, f"支委会查摆问题{n_committee}条", problem_url)
            if n_committee
            else Check("R3.1", Status.FAIL, "支委会尚未查摆问题", problem_url)
        )
        without = sum(1 for m in members[b.pk] if m.pk not in members_with_problems[b.pk])
        out.append(
            Check("R3.2", Status.WARN, f"{without}名党员尚未记录查摆的问题", problem_url)
            if without > 0
            else Check("R3.2", Status.PASS, "每名党员都已查摆问题", problem_url)
        )
        result[b.pk] = out
    return result


def _names(members: Iterable[Member], limit: int = 8) -> str:
    names = [m.name for m in members]
    more = f"等{len(names)}人" if len(names) > limit else ""
    return "、".join(names[:limit]) + more


def _coverage_checks(cov: TalkCoverage, url: str) -> list[Check]:
    out = []
    if cov.secretary is None:
        out.append(Check("R2.1", Status.FAIL, "本支部没有在任书记，无法计算谈心谈话覆盖", url))
        return out
    problems = []
    if cov.committee_pairs_missing:
        problems.append(f"{len(cov.committee_pairs_missing)}对支委之间尚未谈话")
    if cov.members_without_talk:
        problems.append(f"尚未与支委谈话的党员：{_names(cov.members_without_talk)}")
    out.append(
        Check("R2.1", Status.FAIL, "；".join(problems), url)
        if problems
        else Check("R2.1", Status.PASS, "支委之间、支委与党员之间均已谈心谈话", url)
    )
    out.append(
        Check("R2.3", Status.FAIL, f"尚未与书记谈话的重点党员：{_names(cov.focus_without_secretary)}", url)
        if cov.focus_without_secretary
        else Check("R2.3", Status.PASS, "重点党员均已与书记谈话", url)
    )
    if cov.committee_without_secretary:
        out.append(
            Check("R2.4", Status.FAIL, f"书记尚未与支委谈话：{_names(cov.committee_without_secretary)}", url)
        )
    elif not cov.secretary_leads:
        out.append(Check("R2.4", Status.WARN, "书记已与每名支委谈话，但不是最先开展谈话（带头谈）", url))
    else:
        out.append(Check("R2.4", Status.PASS, "书记带头谈，已与每名支委谈话", url))
    return out


# ---------------------------------------------------------------- the archive (R7.2)


def archive_context(*, cycle: Cycle, branch: Branch) -> dict:
    """What templates/meetings/archive_before.html prints: study, talks with coverage, problem lists."""
    return {
        "before_sessions": list(study_sessions(cycle=cycle, branch=branch)),
        "before_materials": material_coverage(cycle=cycle, branch=branch),
        "before_deliveries": deliveries(cycle=cycle, branch=branch),
        "before_talks": list(talks(cycle=cycle, branch=branch).order_by("held_on", "pk")),
        "before_coverage": talk_coverage(cycle=cycle, branch=branch),
        "before_problems": problem_lists(cycle=cycle, branch=branch),
    }
