"""Every write on organisations, members, posts and logins."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from .models import (
    Banner,
    Branch,
    BranchCycle,
    City,
    CommitteePost,
    Cycle,
    Member,
    Participant,
    PartyGroup,
    Scope,
    Township,
)

MEMBER_FIELDS = {
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "education",
    "joined_on",
    "status",
    "full_member_on",
    "group",
    "phone",
    "is_mobile",
    "mobile_location",
    "is_veteran",
    "is_hardship",
    "is_health_issue",
    "is_disciplined",
    "is_leading_cadre",
    "is_retired",
}
SCORE_FIELDS = ("stars", "points")  # R5.3, per cycle: branch.Participant


def _scores_of(fields: dict) -> dict | None:
    if not any(k in fields for k in SCORE_FIELDS):
        return None
    return {k: fields.pop(k, None) for k in SCORE_FIELDS}


def _branch_current_cycle(branch: Branch) -> Cycle | None:
    from .selectors import newest_cycle_of

    return newest_cycle_of(branch=branch)


def _set_scores(member: Member, scores: dict | None, cycle: Cycle | None) -> None:
    if scores is None:
        return
    cycle = cycle or _branch_current_cycle(member.branch)
    if cycle is not None:
        participant_score_set(cycle=cycle, member=member, **scores)


def member_validate(*, member: Member) -> None:
    """The member rules, for a form that builds the row itself (the admin); raises ValidationError."""
    _check_member(member)


def _check_member(member: Member) -> None:
    errors = {}
    if member.status == Member.Status.PROBATIONARY and member.full_member_on:
        errors["full_member_on"] = "预备党员不应填写转正日期"
    if member.joined_on and member.birth_date and member.joined_on <= member.birth_date:
        errors["joined_on"] = "入党日期必须晚于出生日期"
    if member.full_member_on and member.joined_on and member.full_member_on < member.joined_on:
        errors["full_member_on"] = "转正日期不能早于入党日期"
    if member.group_id and member.group.branch_id != member.branch_id:
        errors["group"] = "党小组不属于本支部"
    if member.mobile_location and not member.is_mobile:
        errors["mobile_location"] = "只有流动党员填写流动所在地"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def member_create(*, branch: Branch, cycle: Cycle | None = None, **fields) -> Member:
    """A new member; 星级/积分 given with it go to the cycle's roster (the branch's newest cycle by default)."""
    scores = _scores_of(fields)
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    member = Member(branch=branch, **fields)
    _check_member(member)
    member.full_clean()
    member.save()
    _set_scores(member, scores, cycle)
    secretary_login_link(branch=branch)  # the secretary's login, opened by the township, finds its member
    return member


def member_check_new(*, member: Member) -> None:
    """member_create's rules for a new member, without a query: for a bulk write (the roster import) whose caller has
    already checked, against rows it fetched once, that the name and birth date are new in the branch and that the
    group is the branch's. The database still enforces the constraints when the rows are written."""
    _check_member(member)
    member.full_clean(exclude=["branch", "group"], validate_unique=False, validate_constraints=False)


def group_check_new(*, group: PartyGroup) -> None:
    """group_create's checks without a query (the caller knows the name is new in the branch)."""
    group.name = group.name.strip()
    group.full_clean(exclude=["branch"], validate_unique=False, validate_constraints=False)


@transaction.atomic
def members_create_bulk(
    *,
    groups: list[PartyGroup],
    members: list[Member],
    scores: list[tuple[Member, int | None, int | None]] = (),
) -> list[Member]:
    """Write new groups and new members (checked by group_check_new and member_check_new) in a few statements,
    with one history row per member ("+", the request's user) as member_create would leave; their 星级/积分 go to the
    branch's newest cycle (R5.3)."""
    PartyGroup.objects.bulk_create(groups)
    created = bulk_create_with_history(members, Member, batch_size=500, default_date=timezone.now())
    if scores:
        participant_scores_bulk(branch=members[0].branch, scores=scores)
    if members:
        secretary_login_link(branch=members[0].branch)
    return created


@transaction.atomic
def member_update(*, member: Member, cycle: Cycle | None = None, **fields) -> Member:
    scores = _scores_of(fields)
    unknown = set(fields) - MEMBER_FIELDS
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    for key, value in fields.items():
        setattr(member, key, value)
    _check_member(member)
    member.full_clean()
    member.save()
    _set_scores(member, scores, cycle)
    return member


@transaction.atomic
def member_leave(*, member: Member, reason: str, on: date) -> Member:
    """Transfer out or death: the record stays, because talks, grades and ballots point at it."""
    if member.left_on:
        raise ValidationError(f"该党员已于{member.left_on}标记为{member.get_left_reason_display()}")
    if reason not in Member.LeftReason.values:
        raise ValidationError({"left_reason": "请选择转出或去世"})
    if on < member.joined_on:
        raise ValidationError({"left_on": "离开日期不能早于入党日期"})
    if on > timezone.localdate():
        raise ValidationError({"left_on": "离开日期不能晚于今天"})
    member.left_reason = reason
    member.left_on = on
    member.full_clean()
    member.save()
    CommitteePost.objects.filter(member=member, term_end__isnull=True).update(term_end=on)
    return member


@transaction.atomic
def post_assign(
    *, branch: Branch, member: Member, post: str, term_start: date, term_end: date | None = None
) -> CommitteePost:
    if member.branch_id != branch.pk:
        raise ValidationError({"member": "该党员不属于本支部"})
    if not member.is_active:
        raise ValidationError({"member": "该党员已转出或去世"})
    if term_end is not None and term_end <= term_start:
        raise ValidationError({"term_end": "任期结束日期必须晚于任期开始日期"})
    if term_start < member.joined_on:
        raise ValidationError(
            {"term_start": f"任期开始日期不能早于{member.name}的入党日期（{_cn_day(member.joined_on)}）"}
        )
    # A 预备党员 has no right to be elected (党章第七条), so holds no committee post until 转正 — judged on the day
    # the term starts, so that a post backdated to before the 转正 is refused too.
    probationary_then = not member.is_full or (member.full_member_on and term_start < member.full_member_on)
    if probationary_then:
        label = dict(CommitteePost.Post.choices).get(post, "支委")
        when = (
            f"，{_cn_day(member.full_member_on)}转正后方可任命"
            if member.is_full and member.full_member_on
            else "，转正后方可任命"
        )
        raise ValidationError({"member": f"{member.name}任期开始时是预备党员，不能担任{label}{when}"})
    # One holder per post at a time (支部工作条例: 书记, 副书记 and each 委员 is one person).
    holder = CommitteePost.objects.filter(branch=branch, post=post, term_end__isnull=True).first()
    if holder is not None:
        raise ValidationError({"post": f"本支部已有在任{holder.get_post_display()}，请先结束其任期"})
    if CommitteePost.objects.filter(branch=branch, member=member, term_end__isnull=True).exists():
        raise ValidationError({"member": "该党员已担任支委职务"})
    cp = CommitteePost(branch=branch, member=member, post=post, term_start=term_start, term_end=term_end)
    cp.full_clean()
    cp.save()
    return cp


@transaction.atomic
def post_end(*, post: CommitteePost, on: date) -> CommitteePost:
    if post.term_end:
        raise ValidationError("该任期已结束")
    if on <= post.term_start:
        raise ValidationError({"term_end": "任期结束日期必须晚于任期开始日期"})
    post.term_end = on
    post.full_clean()
    post.save()
    return post


@transaction.atomic
def group_create(*, branch: Branch, name: str) -> PartyGroup:
    g = PartyGroup(branch=branch, name=name.strip())
    g.full_clean()
    g.save()
    return g


@transaction.atomic
def banner_named(name: str = "奈曼旗", *, city: str = "通辽市") -> Banner:
    """The banner of that name (made, under its city, the first time it is named)."""
    city_row, _ = City.objects.get_or_create(name=city.strip())
    banner, _ = Banner.objects.get_or_create(name=name.strip(), defaults={"city": city_row})
    return banner


@transaction.atomic
def township_create(*, name: str, banner: Banner | str = "奈曼旗", city: str = "通辽市") -> Township:
    if isinstance(banner, str):
        banner = banner_named(banner, city=city)
    t = Township(name=name, banner=banner)
    t.full_clean()
    t.save()
    return t


@transaction.atomic
def branch_create(*, name: str, township: Township, kind: str = Branch.Kind.RURAL) -> Branch:
    b = Branch(name=name, township=township, kind=kind)
    b.full_clean()
    b.save()
    return b


@transaction.atomic
def cycle_create(
    *, year: int, deadline: date, title: str = "", township: Township | None = None, by=None
) -> Cycle:
    """A new year (R0.1). Refused: a year the township (or everyone) already has, a deadline before next year."""
    clash = Cycle.objects.filter(year=year).filter(township=township) if township else None
    if Cycle.objects.filter(year=year, township__isnull=True).exists() or (
        clash is not None and clash.exists()
    ):
        raise ValidationError({"year": f"{year}年度已经开启"})
    c = Cycle(
        year=year,
        deadline=deadline,
        title=title or f"{year}年度组织生活会和民主评议党员",
        township=township,
        opened_at=timezone.now(),
        opened_by=by,
    )
    c.full_clean(validate_constraints=False)
    c.save()
    return c


def _status_on(member: Member, day: date) -> str:
    """正式 or 预备 as of a day: a member who became 正式 after it was still 预备 then."""
    if member.full_member_on and member.full_member_on > day:
        return Member.Status.PROBATIONARY
    return member.status


@transaction.atomic
def branch_cycle_fix_roster(*, cycle: Cycle, branch: Branch, on: date) -> BranchCycle:
    """Fix who took part in the branch's cycle as they stood on `on` (the meeting day, R7.2).

    Members who had joined by that day and not yet left; status as of that day; group and focus flags as recorded.
    A roster already fixed is left as it is: a later transfer, death, 转正 or new member changes nothing.
    """
    bc = BranchCycle.objects.select_for_update().get_or_create(branch=branch, cycle=cycle)[0]
    if bc.roster_fixed_on is not None:
        return bc
    members = Member.objects.filter(branch=branch, joined_on__lte=on).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=on)
    )
    existing = {p.member_id: p for p in Participant.objects.filter(cycle=cycle, branch=branch)}
    keep, new = [], []
    for m in members:
        p = existing.pop(m.pk, None) or Participant(cycle=cycle, branch=branch, member=m)
        for f in Participant.COPIED:
            setattr(p, f, getattr(m, f))
        p.status = _status_on(m, on)
        (keep if p.pk else new).append(p)
    Participant.objects.bulk_create(new)
    Participant.objects.bulk_update(keep, list(Participant.COPIED)) if keep else None
    Participant.objects.filter(pk__in=[p.pk for p in existing.values()]).delete()
    bc.roster_fixed_on = on
    bc.save(update_fields=["roster_fixed_on"])
    for cache in (getattr(cycle, "_branch_cycles", None),):
        if cache is not None:
            cache.pop(branch.pk, None)
    return bc


@transaction.atomic
def participant_scores_bulk(*, branch: Branch, scores: list[tuple[Member, int | None, int | None]]) -> None:
    """星级/积分 of many new members at once (the roster import), on the branch's newest cycle (R5.3)."""
    cycle = _branch_current_cycle(branch)
    if cycle is None or not scores:
        return
    Participant.objects.bulk_create(
        [
            Participant(
                cycle=cycle,
                branch=branch,
                member=m,
                stars=stars,
                points=points,
                **{f: getattr(m, f) for f in Participant.COPIED},
            )
            for m, stars, points in scores
        ]
    )


@transaction.atomic
def participant_score_set(
    *, cycle: Cycle, member: Member, stars: int | None, points: int | None
) -> Participant:
    """本年度星级/积分 (R5.3), kept per cycle: setting 2019's leaves 2018's as it was."""
    if stars is not None and not 0 <= stars <= 5:
        raise ValidationError({"stars": "星级应为0–5"})
    p, created = Participant.objects.get_or_create(
        cycle=cycle,
        member=member,
        defaults={"branch_id": member.branch_id, **{f: getattr(member, f) for f in Participant.COPIED}},
    )
    p.stars, p.points = stars, points
    p.save(update_fields=["stars", "points"])
    return p


@transaction.atomic
def account_create(
    *,
    username: str,
    password: str,
    role: str,
    branch: Branch | None = None,
    township: Township | None = None,
    member: Member | None = None,
    banner: Banner | None = None,
    city: City | None = None,
):
    """A login with its scope. Secretary, committee and member logins belong to a member of the branch; a township,
    banner or city reviewer's login names its unit."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": "用户名已存在"})
    if role in (Scope.Role.BANNER, Scope.Role.CITY):
        user = User(username=username)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        scope = Scope(user=user, role=role, banner=banner, city=city)
        scope.full_clean()
        scope.save()
        return user
    if role != Scope.Role.TOWNSHIP and member is None:
        raise ValidationError({"member": "支部账号必须关联一名党员"})
    if member is not None and branch is not None and member.branch_id != branch.pk:
        raise ValidationError({"member": "该党员不属于本支部"})
    if member is not None and member.user_id:
        raise ValidationError({"member": "该党员已有登录账号"})
    user = User(username=username, is_staff=(role == Scope.Role.TOWNSHIP))
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    scope = Scope(
        user=user, role=role, township=township, branch=branch or (member.branch if member else None)
    )
    if role == Scope.Role.TOWNSHIP:
        scope.branch = None
    scope.full_clean()
    scope.save()
    if member is not None:
        member.user = user
        member.save(update_fields=["user"])
    return user


def _cn_day(day: date) -> str:
    """2019年1月10日, as a person reads it (post_assign's messages)."""
    return f"{day.year}年{day.month}月{day.day}日"


# ---------------------------------------------------------------- the township onboards its branches (issue 12)


def _login_free(username: str) -> None:
    if get_user_model().objects.filter(username=username).exists():
        raise ValidationError({"username": f"登录名“{username}”已被使用"})


@transaction.atomic
def secretary_login_create(*, branch: Branch, name: str, password: str, username: str = "", phone: str = ""):
    """The secretary's login of a new branch, before its roster is in: the person's name is kept on the login
    (first_name) and the login is linked to their member record when the roster brings it (secretary_login_link)."""
    User = get_user_model()
    username = (username or phone or "").strip() or f"shuji{branch.pk}"
    _login_free(username)
    user = User(username=username, first_name=name.strip()[:150])
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    scope = Scope(user=user, role=Scope.Role.SECRETARY, branch=branch)
    scope.full_clean()
    scope.save()
    secretary_login_link(branch=branch)
    return user


def secretary_login_link(*, branch: Branch) -> int:
    """Link the branch's secretary logins that have no member record yet to the one active member of the same name
    (a name held by two members links nobody: the secretary links by hand). Returns how many were linked."""
    User = get_user_model()
    pending = User.objects.filter(
        scope__branch=branch, scope__role=Scope.Role.SECRETARY, member__isnull=True
    ).exclude(first_name="")
    linked = 0
    for user in pending:
        same = list(
            Member.objects.active().filter(branch=branch, name=user.first_name, user__isnull=True)[:2]
        )
        if len(same) == 1:
            same[0].user = user
            same[0].save(update_fields=["user"])
            linked += 1
    return linked


@transaction.atomic
def branch_onboard(
    *,
    township: Township,
    name: str,
    kind: str,
    secretary: str,
    password: str,
    phone: str = "",
    username: str = "",
):
    """A new branch of the township with its secretary's login (issue 12). Returns (branch, login)."""
    if not secretary.strip():
        raise ValidationError({"secretary": "请填写书记姓名"})
    if Branch.objects.filter(name=name.strip()).exists():
        raise ValidationError({"name": f"“{name.strip()}”已存在"})
    branch = branch_create(name=name.strip(), township=township, kind=kind)
    login = secretary_login_create(
        branch=branch, name=secretary, password=password, username=username, phone=phone
    )
    return branch, login


@transaction.atomic
def branch_rename(*, branch: Branch, name: str) -> Branch:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "请填写党支部名称"})
    if Branch.objects.filter(name=name).exclude(pk=branch.pk).exists():
        raise ValidationError({"name": f"“{name}”已存在"})
    branch.name = name
    branch.full_clean()
    branch.save(update_fields=["name"])
    return branch


@transaction.atomic
def branch_retire(*, branch: Branch, on: date) -> Branch:
    """撤销: the branch's records and archives stay (read-only); it takes part in no year after this one."""
    branch = Branch.objects.select_for_update().get(pk=branch.pk)
    if branch.retired_on:
        raise ValidationError(f"{branch}已于{_cn_day(branch.retired_on)}撤销")
    branch.retired_on = on
    branch.save(update_fields=["retired_on"])
    return branch
