"""The admin, scoped by branch.access: a township reviewer reads their own township, read-only; the rest is a 404."""

from django.contrib import admin
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .access import ScopedAdmin, scope_of
from .models import Branch, CommitteePost, Cycle, Member, PartyGroup, Scope, Township


@admin.register(Township)
class TownshipAdmin(ScopedAdmin):
    """A reviewer sees only the township they review."""

    list_display = ["name", "banner", "city"]
    search_fields = ["name"]

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return qs
        scope = scope_of(request.user)
        return qs.filter(pk=scope.township_id) if scope and scope.township_id else qs.none()


@admin.register(Branch)
class BranchAdmin(ScopedAdmin):
    branch_path = ""
    list_display = ["name", "kind", "township"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["township"]


@admin.register(PartyGroup)
class PartyGroupAdmin(ScopedAdmin):
    list_display = ["name", "branch"]
    search_fields = ["name", "branch__name"]
    list_select_related = ["branch"]


@admin.register(Member)
class MemberAdmin(ScopedAdmin, SimpleHistoryAdmin):
    list_display = ["name", "branch", "gender", "ethnicity", "status", "group", "is_mobile", "left_on"]
    list_filter = [
        "status",
        "gender",
        "is_mobile",
        "is_veteran",
        "is_hardship",
        "is_health_issue",
        "is_disciplined",
        "is_leading_cadre",
        "is_retired",
        "left_reason",
    ]
    search_fields = ["name", "phone", "branch__name"]
    list_select_related = ["branch", "group"]
    raw_id_fields = ["user"]

    # simple_history reads the history rows directly (falling back to them when the object is not in get_queryset):
    # both history pages first check the object is in scope.
    def _in_scope_or_404(self, request, object_id) -> None:
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404("不存在或无权查看")

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope_or_404(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(CommitteePost)
class CommitteePostAdmin(ScopedAdmin):
    list_display = ["post", "member", "branch", "term_start", "term_end"]
    list_filter = ["post"]
    search_fields = ["member__name", "branch__name"]
    list_select_related = ["member", "branch"]


@admin.register(Cycle)
class CycleAdmin(ScopedAdmin):
    """Cycles belong to no branch: every reviewer reads them, only a superuser changes them."""

    list_display = ["year", "deadline", "title"]

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)


@admin.register(Scope)
class ScopeAdmin(admin.ModelAdmin):
    """Who may do what: the superuser's business only."""

    list_display = ["user", "role", "township", "branch"]
    list_filter = ["role"]
    search_fields = ["user__username"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
