"""The admin, scoped by branch.access: a township reviewer reads their own township, read-only; the rest is a 404."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .access import ScopedAdmin, ScopedHistoryAdmin, scope_of
from .models import Banner, Branch, City, CommitteePost, Cycle, Member, PartyGroup, Scope, Township


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    """市委: kept by the superuser (a city reviewer reads through the overview, not the admin)."""

    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Banner)
class BannerAdmin(admin.ModelAdmin):
    list_display = ["name", "city"]
    list_filter = ["city"]
    search_fields = ["name"]


@admin.register(Township)
class TownshipAdmin(ScopedAdmin):
    """A reviewer sees only the township they review."""

    list_display = ["name", "banner"]
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


class MemberAdminForm(forms.ModelForm):
    """The superuser's edits keep the same member rules as the secretary's pages (the admin supplies Meta)."""

    def _post_clean(self):
        super()._post_clean()
        if self.instance.branch_id:
            try:
                services.member_validate(member=self.instance)
            except ValidationError as e:
                self._update_errors(e)


@admin.register(Member)
class MemberAdmin(ScopedHistoryAdmin):
    form = MemberAdminForm
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
