"""Every read on the roster and the committee that a page, an export or a PDF needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Branch, CommitteePost, Cycle, Member


def current_cycle() -> Cycle | None:
    """The newest cycle; the system is used one cycle at a time."""
    return Cycle.objects.order_by("-year").first()


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
