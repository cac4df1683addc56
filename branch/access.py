"""Who may do what. Every view, admin class and export asks here; nowhere else decides.

Each function returns the object asked for or raises PermissionDenied / Http404, one condition per line.
Roles (branch.models.Scope):
- city reviewer (市委) and banner reviewer (旗县委): read every township and branch below them, write nothing —
  except that a banner opens a new year for its townships (`level_act` views);
- township reviewer: reads every branch of their township, writes nothing but their own review acts;
- secretary: reads and writes their own branch;
- committee member: reads their branch, records their own talks and the like;
- member: only themselves;
- superuser: everything.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from simple_history.admin import SimpleHistoryAdmin

from .models import Banner, Branch, City, Cycle, Member, Scope, Township

Role = Scope.Role


def scope_of(user) -> Scope | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.scope
    except Scope.DoesNotExist:
        return None


def role_of(user) -> str | None:
    if getattr(user, "is_superuser", False):
        return "admin"
    scope = scope_of(user)
    return scope.role if scope else None


def _refuse_anonymous(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录")


LEVEL_ROLES = (Role.BANNER, Role.CITY)  # read-only reviewers above the township


def townships_visible(user) -> QuerySet[Township]:
    """Townships whose pages this user may read: a reviewer's own, every township of a banner or of a city."""
    if getattr(user, "is_superuser", False):
        return Township.objects.all()
    scope = scope_of(user)
    if scope is None:
        return Township.objects.none()
    if scope.role == Role.TOWNSHIP:
        return Township.objects.filter(pk=scope.township_id)
    if scope.role == Role.BANNER:
        return Township.objects.filter(banner_id=scope.banner_id)
    if scope.role == Role.CITY:
        return Township.objects.filter(banner__city_id=scope.city_id)
    return Township.objects.none()


def branches_visible(user) -> QuerySet[Branch]:
    """Branches whose records this user may read."""
    if getattr(user, "is_superuser", False):
        return Branch.objects.all()
    scope = scope_of(user)
    if scope is None:
        return Branch.objects.none()
    if scope.role == Role.TOWNSHIP:
        return Branch.objects.filter(township_id=scope.township_id)
    if scope.role == Role.BANNER:
        return Branch.objects.filter(township__banner_id=scope.banner_id)
    if scope.role == Role.CITY:
        return Branch.objects.filter(township__banner__city_id=scope.city_id)
    if scope.role in (Role.SECRETARY, Role.COMMITTEE):
        return Branch.objects.filter(pk=scope.branch_id)
    return Branch.objects.none()


def members_visible(user) -> QuerySet[Member]:
    """Members whose records this user may read: a member sees only themself."""
    if getattr(user, "is_superuser", False):
        return Member.objects.all()
    scope = scope_of(user)
    if scope is None:
        return Member.objects.none()
    if scope.role == Role.MEMBER:
        return Member.objects.filter(user=user)
    return Member.objects.filter(branch__in=branches_visible(user))


def township_of(user) -> Township:
    """The township a reviewer reviews."""
    _refuse_anonymous(user)
    scope = scope_of(user)
    if scope is None or scope.role != Role.TOWNSHIP:
        raise PermissionDenied("仅镇党委审核人可以查看")
    return scope.township


def banner_of(user) -> Banner:
    """The banner a banner reviewer reviews."""
    _refuse_anonymous(user)
    scope = scope_of(user)
    if scope is None or scope.role != Role.BANNER:
        raise PermissionDenied("仅旗县委审核人可以查看")
    return scope.banner


def city_of(user) -> City:
    """The city a city reviewer reviews."""
    _refuse_anonymous(user)
    scope = scope_of(user)
    if scope is None or scope.role != Role.CITY:
        raise PermissionDenied("仅市委审核人可以查看")
    return scope.city


def banners_visible(user) -> QuerySet[Banner]:
    """Banners whose overview this user may read: a banner reviewer's own, every banner of a city, all for an admin."""
    if getattr(user, "is_superuser", False):
        return Banner.objects.all()
    scope = scope_of(user)
    if scope is not None and scope.role == Role.BANNER:
        return Banner.objects.filter(pk=scope.banner_id)
    if scope is not None and scope.role == Role.CITY:
        return Banner.objects.filter(city_id=scope.city_id)
    return Banner.objects.none()


def access_banner(user, banner_id=None) -> Banner:
    """The banner a level overview is about: a banner reviewer's own (whatever the id says); a city reviewer or an
    admin names one of theirs with ?banner=<id>; another city's banner is a 404; anyone else is refused."""
    _refuse_anonymous(user)
    if role_of(user) not in ("admin", Role.BANNER, Role.CITY):
        raise PermissionDenied("仅旗县委、市委审核人可以查看")
    banners = banners_visible(user)
    if role_of(user) == Role.BANNER:
        return banners.get()
    if banner_id:
        return get_object_or_404(banners, pk=banner_id if str(banner_id).isdigit() else 0)
    banner = banners.first()
    if banner is None:
        raise Http404("尚无旗县委")
    return banner


def access_city(user, city_id=None) -> City:
    """The city of a city overview: a city reviewer's own; an admin names any with ?city=<id>."""
    _refuse_anonymous(user)
    if role_of(user) == Role.CITY:
        return city_of(user)
    if role_of(user) != "admin":
        raise PermissionDenied("仅市委审核人可以查看")
    cities = City.objects.all()
    if city_id:
        return get_object_or_404(cities, pk=city_id if str(city_id).isdigit() else 0)
    city = cities.first()
    if city is None:
        raise Http404("尚无市委")
    return city


def is_level_reviewer(user) -> bool:
    return role_of(user) in LEVEL_ROLES


def level_act(view):
    """Marks a view a banner (or city) reviewer may POST to under a year: opening the next year for its townships.
    Every other write under a year refuses them (cycle_write_refusal_for)."""
    view.level_act = True
    return view


def staff_branch(user) -> Branch:
    """The branch of a secretary or committee member (the people who run the cycle)."""
    _refuse_anonymous(user)
    scope = scope_of(user)
    if scope is None or scope.role not in (Role.SECRETARY, Role.COMMITTEE):
        raise PermissionDenied("仅支部书记和支委委员可以使用此页面")
    return scope.branch


def secretary_branch(user) -> Branch:
    """The branch a secretary runs; only the secretary records for others."""
    _refuse_anonymous(user)
    scope = scope_of(user)
    if scope is None or scope.role != Role.SECRETARY:
        raise PermissionDenied("仅支部书记可以进行此操作")
    return scope.branch


def own_member(user) -> Member:
    """The member record of the logged-in person (for /me/)."""
    _refuse_anonymous(user)
    member = Member.objects.select_related("branch", "group").filter(user=user).first()
    if member is None:
        raise PermissionDenied("此账号未关联党员")
    return member


def access_branch(user, branch_id, *, write: bool = False) -> Branch:
    """A branch this user may read (or, with write=True, change)."""
    _refuse_anonymous(user)
    branch = get_object_or_404(branches_visible(user).select_related("township__banner"), pk=branch_id)
    if write and not can_write_branch(user, branch):
        raise PermissionDenied("无权修改此党支部的记录")
    return branch


def access_member(user, member_id, *, write: bool = False) -> Member:
    """A member this user may read; another branch's or another person's record is a 404."""
    _refuse_anonymous(user)
    member = get_object_or_404(members_visible(user).select_related("branch", "group"), pk=member_id)
    if write and not can_write_branch(user, member.branch):
        raise PermissionDenied("无权修改此党员的记录")
    return member


def can_write_branch(user, branch: Branch) -> bool:
    """Only the branch's secretary (or a superuser) changes the branch's records."""
    if getattr(user, "is_superuser", False):
        return True
    scope = scope_of(user)
    return scope is not None and scope.role == Role.SECRETARY and scope.branch_id == branch.pk


def can_record_for_branch(user, branch: Branch) -> bool:
    """Secretary and committee members record steps (talks, study) for their own branch."""
    if getattr(user, "is_superuser", False):
        return True
    scope = scope_of(user)
    return (
        scope is not None and scope.role in (Role.SECRETARY, Role.COMMITTEE) and scope.branch_id == branch.pk
    )


def acting_member(user) -> Member | None:
    """The member record behind a login, if any (a committee member recording their own talk)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(user=user).first()


def _related_only(model, entry):
    if not isinstance(entry, str):
        return entry
    if get_fields_from_path(model, entry)[-1].is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    return entry


class ScopedAdmin(admin.ModelAdmin):
    """Admin that shows only what access allows: a township reviewer reads their township, read-only.

    `branch_path` is the lookup from the model to its Branch ("branch", "member__branch", "" for Branch itself).
    A record outside the scope is not in the queryset, so its change page is a 404.
    """

    branch_path = "branch"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        visible = branches_visible(request.user)
        if self.branch_path == "":
            return qs.filter(pk__in=visible.values("pk"))
        return qs.filter(**{f"{self.branch_path}__in": visible.values("pk")})

    def get_list_filter(self, request):
        # A related field's filter lists every row of the related model (another township's branches too);
        # RelatedOnlyFieldListFilter lists only those that the scoped queryset above points at.
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [_related_only(self.model, entry) for entry in filters]

    def get_object(self, request, object_id, from_field=None):
        # Django's admin redirects to the index for a missing object; out of scope must look the same as absent: 404.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("不存在或无权查看")
        return obj

    def _reviewer(self, request) -> bool:
        scope = scope_of(request.user)
        return scope is not None and scope.role == Role.TOWNSHIP

    def has_module_permission(self, request):
        return request.user.is_superuser or (request.user.is_staff and self._reviewer(request))

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or (request.user.is_staff and self._reviewer(request))

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class ScopedHistoryAdmin(SimpleHistoryAdmin, ScopedAdmin):
    """ScopedAdmin with the simple-history "历史" page. Use it for every model with `history = HistoricalRecords()`.

    SimpleHistoryAdmin falls back to the last history row when the object is not in get_queryset (a deleted
    record); for an out-of-scope record that would show another township's history, so outside the scope is a 404.
    """

    def _in_scope_or_404(self, request, object_id) -> None:
        if not request.user.is_superuser and not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404("不在您的查看范围内")

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One past version's page reads the history table directly too.
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


# ---------------------------------------------------------------- the year in every address


def township_id_of(user) -> int | None:
    """The township whose cycles a login sees: the reviewer's own, or that of the branch of a secretary, committee
    member or member. None for a superuser (every cycle) and for a login with no scope."""
    scope = scope_of(user)
    if scope is None:
        return None
    if scope.role == Role.TOWNSHIP:
        return scope.township_id
    if scope.role in LEVEL_ROLES:
        return None
    return Branch.objects.filter(pk=scope.branch_id).values_list("township_id", flat=True).first()


def cycles_of(user) -> list[Cycle]:
    """Every cycle this login may open, newest first: its township's own and the common ones (an admin: all).
    One query, kept on the login for the rest of the request."""
    cached = getattr(user, "_cycles_of", None)
    if cached is not None:
        return cached
    scope = scope_of(user)
    if getattr(user, "is_superuser", False):
        qs = Cycle.objects.all()
    elif scope is None:
        qs = Cycle.objects.none()
    elif scope.role == Role.TOWNSHIP:
        qs = Cycle.objects.filter(Q(township_id=scope.township_id) | Q(township__isnull=True))
    elif scope.role == Role.BANNER:
        qs = Cycle.objects.filter(Q(township__banner_id=scope.banner_id) | Q(township__isnull=True))
    elif scope.role == Role.CITY:
        qs = Cycle.objects.filter(Q(township__banner__city_id=scope.city_id) | Q(township__isnull=True))
    else:
        qs = Cycle.objects.filter(Q(township__branches=scope.branch_id) | Q(township__isnull=True))
    # A township's own cycle of a year comes before the common one of the same year.
    cycles = sorted(qs, key=lambda c: (-c.year, c.township_id is None, c.township_id or 0))
    user._cycles_of = cycles
    return cycles


def years_of(user) -> list[int]:
    """Every year this login may open, newest first (the year switcher)."""
    return sorted({c.year for c in cycles_of(user)}, reverse=True)


def current_year(user) -> int | None:
    """The cycle year a year-less address means: the newest cycle of the user's township (or any, for an admin)."""
    years = years_of(user)
    return years[0] if years else None


def access_cycle(user, year: int) -> Cycle:
    """The cycle a year in the address names, for this login; an unknown year (or one the township does not have) is a
    Chinese 404, the same as a year outside the login's scope. For an admin, the common cycle of the year is preferred."""
    _refuse_anonymous(user)
    if not getattr(user, "is_superuser", False) and scope_of(user) is None:
        raise PermissionDenied("此账号尚未分配权限")
    of_year = [c for c in cycles_of(user) if c.year == year]
    if getattr(user, "is_superuser", False) or is_level_reviewer(user):
        # above a township there is no "own" cycle: the common one, else the first township's
        of_year.sort(key=lambda c: c.township_id is not None)
    if not of_year:
        raise Http404(f"没有{year}年度的组织生活会")
    return of_year[0]


def branch_in_cycle(branch: Branch, cycle: Cycle) -> None:
    """A branch's page of a cycle exists only if the cycle applies to the branch's township."""
    if cycle.township_id is not None and cycle.township_id != branch.township_id:
        raise Http404("该党支部没有此年度")


def cycle_write_refusal(*, cycle: Cycle, branch: Branch, tail: bool = False) -> str:
    """Why a branch's records of a cycle may not change, or "" if they may.

    A closed cycle is frozen. While a newer cycle is open, a cycle whose meeting is held keeps only its rectification
    tail (R6.4 half-year report, R6.5 quarterly reports, measures, the township's corrections) writable.
    """
    from .selectors import branch_cycle, cycles_for_township

    if branch.retired_on:
        return f"{branch}已于{branch.retired_on.year}年{branch.retired_on.month}月{branch.retired_on.day}日撤销，记录只读"
    bc = branch_cycle(branch=branch, cycle=cycle)
    if bc.is_closed:
        return f"{cycle.year}年度已关闭，记录已封存，不能修改"
    if tail or bc.roster_fixed_on is None:
        return ""
    newer = getattr(cycle, "_newer_exists", None)
    if newer is None:
        newer = cycle._newer_exists = (
            cycles_for_township(township_id=branch.township_id).filter(year__gt=cycle.year).exists()
        )
    if newer:
        return (
            f"{cycle.year}年度的组织生活会已召开，{cycle.year + 1}年度已开启：本年度只能继续登记整改落实情况"
        )
    return ""


def cycle_write_refusal_for(user, cycle: Cycle, *, tail: bool = False) -> str:
    """The write guard every POST under a year passes (xinyi.middleware.YearMiddleware): the branch is the login's
    own; a township reviewer's and an admin's acts are checked by the service of each act. A banner or city
    reviewer reads only (the views marked `level_act` check their own rule)."""
    scope = scope_of(user)
    if scope is not None and scope.role in LEVEL_ROLES:
        return "旗县委、市委审核人只能查看，不能修改支部和镇党委的记录"
    if scope is None or scope.branch_id is None:
        return ""
    return cycle_write_refusal(cycle=cycle, branch=scope.branch, tail=tail)


def cycle_tail(view):
    """Mark a view as part of a cycle's rectification tail: it stays writable into the next year (R6.4, R6.5) until
    the cycle is closed."""
    view.cycle_tail = True
    return view


def request_cycle(request) -> Cycle:
    """The cycle named by the address, resolved once by YearMiddleware through `access_cycle`."""
    cycle = getattr(request, "cycle", None)
    if cycle is None:
        raise Http404("尚未设置年度组织生活会")
    return cycle


def cycle_for_branch(request, branch: Branch) -> Cycle:
    """The cycle of the address's year for one branch. A login's own cycle is already its township's; an admin, who
    sees every township, gets the branch's township's own cycle of that year where it issued one."""
    from .selectors import cycle_for_township

    cycle = request_cycle(request)
    if getattr(request.user, "is_superuser", False) and cycle.township_id != branch.township_id:
        cycle = cycle_for_township(township_id=branch.township_id, year=cycle.year)
        if cycle is None:
            raise Http404("该党支部没有此年度")
    branch_in_cycle(branch, cycle)
    return cycle


# ---------------------------------------------------------------- one record, fetched and checked in one call
# Views ask these, never a local helper: each returns what was asked for or raises, one condition per line.


def require_secretary(user, branch: Branch, why: str = "仅支部书记可以进行此操作") -> None:
    """Only the branch's secretary (or an admin) changes its records; `why` is the refusal the page shows."""
    if not can_write_branch(user, branch):
        raise PermissionDenied(why)


def require_committee(user, branch: Branch, why: str = "仅支部书记和支委委员可以进行此操作") -> None:
    """The branch's secretary and committee members (or an admin) record its steps: study, talks, ballots, progress."""
    if not can_record_for_branch(user, branch):
        raise PermissionDenied(why)


def access_viewed_branch(user, branch_id) -> Branch:
    """The branch a page is about: a secretary's or committee member's own; a township reviewer or an admin names
    one with ?branch=<id> (a reviewer: one of their township, an admin: any); another's is a 404."""
    if role_of(user) in ("township", "admin", *LEVEL_ROLES):
        return access_branch(user, branch_id or 0)
    return staff_branch(user)


def access_township_branch(user, branch_id) -> Branch:
    """A branch of the reviewer's township, for the township's pages and acts on it (its read-only dashboard and
    archive, closing its year, reviewing its filing, correcting it).

    One answer for an admin: an admin sees (and acts on) any branch, as the township would. A reviewer gets only a
    branch of their own township (another township's is a 404); a secretary, committee member or member is refused.
    """
    _refuse_anonymous(user)
    if not getattr(user, "is_superuser", False) and not is_level_reviewer(user):
        township_of(user)
    return get_object_or_404(branches_visible(user).select_related("township"), pk=branch_id)


def access_township(user, township_id=None) -> Township:
    """The township a township page is about: the reviewer's own (whatever `township_id` says); an admin picks any
    with ?township=<id>, the first by default. An unknown township is a 404 for an admin."""
    _refuse_anonymous(user)
    if not getattr(user, "is_superuser", False) and not is_level_reviewer(user):
        return township_of(user)
    townships = townships_visible(user)
    if township_id:
        # a banner or city reviewer reads a township below them; another banner's is a 404, as if absent
        return get_object_or_404(townships, pk=township_id if str(township_id).isdigit() else 0)
    township = townships.first()
    if township is None:
        raise Http404("尚无镇党委")
    return township


def cycle_for_township_page(request, township: Township) -> Cycle:
    """The cycle of the address's year for one township's page: its own cycle of that year, else the common one."""
    from .selectors import cycle_for_township

    cycle = request_cycle(request)
    if cycle.township_id in (None, township.pk) and role_of(request.user) == Role.TOWNSHIP:
        return cycle
    cycle = cycle_for_township(township_id=township.pk, year=cycle.year)
    if cycle is None:
        raise Http404("该镇党委没有此年度")
    return cycle


def _branch_id_of(record, branch_path: str) -> int:
    *hops, last = branch_path.split("__")
    for hop in hops:
        record = getattr(record, hop)
    return getattr(record, f"{last}_id")


def access_branch_record(user, queryset: QuerySet, pk, *, branch_path: str = "branch", write: bool = False):
    """One record of a branch (a study session, a talk, an attendance row), found by pk in `queryset`: a record of a
    branch outside the user's scope is a 404, as if absent; write=True needs the branch's secretary.

    The apps pass their own queryset (access may not import them); `branch_path` leads from the record to its Branch.
    """
    _refuse_anonymous(user)
    record = get_object_or_404(queryset, pk=pk)
    access_branch(user, _branch_id_of(record, branch_path), write=write)
    return record


def accounts_visible(user) -> QuerySet:
    """Logins this user may unlock and reset: an admin all, a secretary those of their branch's members."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    if getattr(user, "is_superuser", False):
        return users.all()
    branch = secretary_branch(user)
    # the branch's members' logins, and every login scoped to the branch (the secretary's own before the roster
    # linked it to a member)
    return users.filter(Q(member__branch=branch) | Q(scope__branch=branch), is_superuser=False).distinct()


# ---------------------------------------------------------------- the township onboards its branches (issue 12)


def access_onboarding_township(user, township_id=None) -> Township:
    """The township whose branches this login adds, renames and retires: a reviewer's own; an admin's pick
    (?township=<id>). A banner or city reviewer, a secretary, a member: refused."""
    _refuse_anonymous(user)
    if getattr(user, "is_superuser", False):
        return access_township(user, township_id)
    return township_of(user)


def access_onboarding_branch(user, branch_id) -> Branch:
    """A branch of the township this login onboards; another township's is a 404."""
    township = access_onboarding_township(user)
    branches = Branch.objects.select_related("township")
    if not getattr(user, "is_superuser", False):
        branches = branches.filter(township=township)
    return get_object_or_404(branches, pk=branch_id)


def access_account(user, user_id):
    """One login this user may manage; anyone else's is a 404."""
    return get_object_or_404(accounts_visible(user), pk=user_id)
