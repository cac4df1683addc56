"""Every read on the roster and the committee that a page, an export or a PDF needs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Branch, BranchCycle, CommitteePost, Cycle, Member, Participant

# ---------------------------------------------------------------- cycles: which years a branch or township has


def cycles_for_township(*, township_id: int | None) -> QuerySet[Cycle]:
    """Every cycle that applies to a township's branches: its own and the common ones (one per year, its own first)."""
    if township_id is None:
        return Cycle.objects.filter(township__isnull=True)
    return Cycle.objects.filter(Q(township_id=township_id) | Q(township__isnull=True))


def years_for_township(*, township_id: int | None) -> list[int]:
    """The years a township's branches have, newest first (one query)."""
    years = cycles_for_township(township_id=township_id).values_list("year", flat=True)
    return sorted(set(years), reverse=True)


def cycle_for_township(*, township_id: int | None, year: int) -> Cycle | None:
    """The cycle of a year for a township: its own if it issued one, else the common one."""
    rows = list(cycles_for_township(township_id=township_id).filter(year=year))
    rows.sort(key=lambda c: c.township_id is None)
    return rows[0] if rows else None


def branch_cycle(*, branch: Branch, cycle: Cycle) -> BranchCycle:
    """The branch's part in a cycle, made the first time it is asked for (a branch joins every cycle of its township)."""
    cached = getattr(cycle, "_branch_cycles", None)
    if cached is None:
        cached = cycle._branch_cycles = {}
    if branch.pk not in cached:
        bc, _ = BranchCycle.objects.get_or_create(branch=branch, cycle=cycle)
        bc.cycle = cycle
        cached[branch.pk] = bc
    return cached[branch.pk]


def previous_cycle(*, cycle: Cycle, township_id: int | None) -> Cycle | None:
    return cycles_for_township(township_id=township_id).filter(year__lt=cycle.year).order_by("-year").first()


# ---------------------------------------------------------------- the cycle's own roster (R7.2)


def _fixed_on(cycle: Cycle, branch: Branch):
    return branch_cycle(branch=branch, cycle=cycle).roster_fixed_on


def cycle_members(*, cycle: Cycle, branch: Branch) -> QuerySet[Member]:
    """Who takes part in a branch's cycle, as a Member queryset to filter and count.

    Until the roster is fixed (the meeting is held) it is today's active roster; from then on it is the fixed list,
    whatever happened to the members later. Status and focus filters must go through `cycle_member_filter`.
    """
    if _fixed_on(cycle, branch) is None:
        return Member.objects.filter(branch=branch).active()
    return Member.objects.filter(participations__cycle=cycle, participations__branch=branch)


def cycle_full_members(*, cycle: Cycle, branch: Branch) -> QuerySet[Member]:
    """The cycle's 正式党员 (as they stood on its meeting day once fixed)."""
    return cycle_member_filter(cycle=cycle, branch=branch, status=Member.Status.FULL)


def cycle_member_filter(
    *, cycle: Cycle, branch: Branch, status: str = "", focus: bool = False
) -> QuerySet[Member]:
    """The cycle's members with a status (正式/预备) or in a focus category (R2.3), by the cycle's own roster.

    Once fixed, every condition on the participation goes into one filter(): a second filter() on a multi-valued
    relation would join another participation of the member (another year's) and count them twice.
    """
    if _fixed_on(cycle, branch) is None:
        qs = Member.objects.filter(branch=branch).active()
        if status:
            qs = qs.filter(status=status)
        return qs.focus() if focus else qs
    own = Q(participations__cycle=cycle, participations__branch=branch)
    if status:
        own &= Q(participations__status=status)
    if focus:
        any_flag = Q()
        for f in Member.FOCUS_FIELDS:
            any_flag |= Q(**{f"participations__{f}": True})
        own &= any_flag
    return Member.objects.filter(own).distinct()


def cycle_roster(*, cycle: Cycle, branch: Branch) -> list[Member]:
    """The cycle's roster as Member objects whose status, group, focus flags and 星级/积分 are the cycle's own.

    Two queries whatever the size. Ordered by 党小组 then name, as the roster page is.
    """
    if _fixed_on(cycle, branch) is None:
        members = list(Member.objects.filter(branch=branch).active().select_related("group"))
        scores = {
            p.member_id: p
            for p in Participant.objects.filter(cycle=cycle, member__in=[m.pk for m in members]).only(
                "member_id", "stars", "points"
            )
        }
        for m in members:
            p = scores.get(m.pk)
            m.stars, m.points = (p.stars, p.points) if p else (None, None)
    else:
        rows = Participant.objects.filter(cycle=cycle, branch=branch).select_related("member", "group")
        members = [p.as_member() for p in rows]
    members.sort(key=lambda m: (m.group.name if m.group else "", m.name))
    return members


def cycle_rosters(*, cycle: Cycle, branch_ids: list[int]) -> dict[int, list[Member]]:
    """branch_id -> the cycle's members (as Member objects carrying the cycle's status and flags), by name."""
    fixed = set(
        BranchCycle.objects.filter(
            cycle=cycle, branch_id__in=branch_ids, roster_fixed_on__isnull=False
        ).values_list("branch_id", flat=True)
    )
    result: dict[int, list[Member]] = defaultdict(list)
    if fixed:
        rows = Participant.objects.filter(cycle=cycle, branch_id__in=fixed).select_related("member", "group")
        for p in rows:
            result[p.branch_id].append(p.as_member())
    open_ids = [pk for pk in branch_ids if pk not in fixed]
    if open_ids:
        for m in Member.objects.filter(branch_id__in=open_ids).active().select_related("group"):
            result[m.branch_id].append(m)
    for members in result.values():
        members.sort(key=lambda m: m.name)
    return result


def branch_roster(*, cycle: Cycle, branch: Branch, by_group: bool = False) -> list[Member]:
    """One branch's roster of the cycle, by name (or by 党小组 then name, as the roster page and sign-in sheets)."""
    members = cycle_rosters(cycle=cycle, branch_ids=[branch.pk])[branch.pk]
    if by_group:
        members.sort(key=lambda m: (m.group.name if m.group else "", m.name))
    return members


def participation_of(*, cycle: Cycle, member: Member) -> Participant | None:
    return Participant.objects.filter(cycle=cycle, member=member).first()


def roster(
    *, branch: Branch, status: str = "", focus: str = "", group: str = "", include_left: bool = False
) -> QuerySet[Member]:
    qs = Member.objects.filter(branch=branch).select_related("group")
    if not include_left:
        qs = qs.active()
    if status in Member.Status.values:
        qs = qs.filter(status=status)
    if focus in Member.FOCUS_FIELDS or focus in ("is_leading_cadre", "is_retired"):
        qs = qs.filter(**{focus: True})
    elif focus == "any":
        qs = qs.focus()
    if group:
        qs = qs.filter(group_id=group) if str(group).isdigit() else qs.none()
    return qs.order_by("group__name", "name")


def roster_counts(*, branch: Branch) -> dict[str, int]:
    """All counts of the roster page in one query."""
    active = Q(left_on__isnull=True)
    agg = {
        "total": Count("pk", filter=active),
        "full": Count("pk", filter=active & Q(status=Member.Status.FULL)),
        "probationary": Count("pk", filter=active & Q(status=Member.Status.PROBATIONARY)),
        "focus": Count("pk", filter=active & Q(pk__in=Member.objects.focus().values("pk"))),
        "left": Count("pk", filter=Q(left_on__isnull=False)),
    }
    for f in Member.FOCUS_FIELDS + ("is_leading_cadre", "is_retired"):
        agg[f] = Count("pk", filter=active & Q(**{f: True}))
    return Member.objects.filter(branch=branch).aggregate(**agg)


def committee_on(*, branch: Branch, day: date | None = None) -> list[CommitteePost]:
    """The committee as it stands on a day (today by default)."""
    day = day or timezone.localdate()
    posts = (
        CommitteePost.objects.filter(branch=branch, term_start__lte=day)
        .filter(Q(term_end__isnull=True) | Q(term_end__gte=day))
        .select_related("member")
    )
    return sorted(posts, key=_post_rank)


_POST_ORDER = {value: rank for rank, value in enumerate(CommitteePost.Post.values)}


def _post_rank(post: CommitteePost) -> int:
    """书记, 副书记, 组织委员, 宣传委员, 纪检委员: the order a committee is named in."""
    return _POST_ORDER[post.post]


def posts_of(*, branch: Branch) -> list[CommitteePost]:
    """Every committee post of a branch, current terms first, then the ended ones (newest first)."""
    posts = CommitteePost.objects.filter(branch=branch).select_related("member").order_by("-term_start")
    return sorted(
        posts,
        key=lambda p: (p.term_end is not None, -(p.term_end or p.term_start).toordinal(), _post_rank(p)),
    )


def secretary_of(*, branch: Branch, day: date | None = None) -> Member | None:
    for post in committee_on(branch=branch, day=day):
        if post.post == CommitteePost.Post.SECRETARY:
            return post.member
    return None


@dataclass(frozen=True)
class CommitteeWarning:
    rule: str
    text: str


def committee_warnings(
    *, branch: Branch, posts: list[CommitteePost], full_members: int
) -> list[CommitteeWarning]:
    """Where the committee does not fit the norm in DOMAIN.md (支部工作条例)."""
    warnings = []
    kinds = [p.post for p in posts]
    if CommitteePost.Post.SECRETARY not in kinds:
        warnings.append(CommitteeWarning("支部工作条例", "本支部没有在任书记"))
    if full_members >= 7:
        committee_size = len(posts)
        if committee_size < 3 or committee_size > 5:
            warnings.append(
                CommitteeWarning(
                    "支部工作条例",
                    f"正式党员 {full_members} 人（7 人以上）应设支部委员会 3–5 人，现有 {committee_size} 人",
                )
            )
    return warnings


def attach_scores(members, *, cycle: Cycle | None) -> list[Member]:
    """Give each member `.stars` and `.points` of a cycle (R5.3, kept per cycle), in one query."""
    members = list(members)
    scores = {}
    if cycle is not None:
        scores = {
            p["member_id"]: p
            for p in Participant.objects.filter(cycle=cycle, member__in=[m.pk for m in members]).values(
                "member_id", "stars", "points"
            )
        }
    for m in members:
        p = scores.get(m.pk) or {}
        m.stars, m.points = p.get("stars"), p.get("points")
    return members


def newest_cycle_of(*, branch: Branch) -> Cycle | None:
    return cycles_for_township(township_id=branch.township_id).order_by("-year").first()
