"""Who may do what. Every view, admin class and export asks here; nowhere else decides.

Each function returns the object asked for or raises PermissionDenied / Http404, one condition per line.
Roles (branch.models.Scope):
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
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from simple_history.admin import SimpleHistoryAdmin

from .models import Branch, Member, Scope, Township

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


def _require_login(user) -> None:
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请先登录")


def branches_visible(user) -> QuerySet[Branch]:
    """Branches whose records this user may read."""
    if getattr(user, "is_superuser", False):
        return Branch.objects.all()
    scope = scope_of(user)
    if scope is None:
        return Branch.objects.none()
    if scope.role == Role.TOWNSHIP:
        return Branch.objects.filter(township_id=scope.township_id)
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
    _require_login(user)
    scope = scope_of(user)
    if scope is None or scope.role != Role.TOWNSHIP:
        raise PermissionDenied("仅镇党委审核人可以查看")
    return scope.township


def staff_branch(user) -> Branch:
    """The branch of a secretary or committee member (the people who run the cycle)."""
    _require_login(user)
    scope = scope_of(user)
    if scope is None or scope.role not in (Role.SECRETARY, Role.COMMITTEE):
        raise PermissionDenied("仅支部书记和支委委员可以使用此页面")
    return scope.branch


def secretary_branch(user) -> Branch:
    """The branch a secretary runs; only the secretary records for others."""
    _require_login(user)
    scope = scope_of(user)
    if scope is None or scope.role != Role.SECRETARY:
        raise PermissionDenied("仅支部书记可以进行此操作")
    return scope.branch


def own_member(user) -> Member:
    """The member record of the logged-in person (for /me/)."""
    _require_login(user)
    member = Member.objects.select_related("branch", "group").filter(user=user).first()
    if member is None:
        raise PermissionDenied("此账号未关联党员")
    return member


def access_branch(user, branch_id, *, write: bool = False) -> Branch:
    """A branch this user may read (or, with write=True, change)."""
    _require_login(user)
    branch = get_object_or_404(branches_visible(user), pk=branch_id)
    if write and not can_write_branch(user, branch):
        raise PermissionDenied("无权修改此党支部的记录")
    return branch


def access_member(user, member_id, *, write: bool = False) -> Member:
    """A member this user may read; another branch's or another person's record is a 404."""
    _require_login(user)
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
