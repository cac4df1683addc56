"""Admin for every meetings model, scoped by branch.access.ScopedAdmin (a reviewer reads their township only)."""

from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from branch.access import ScopedAdmin

from .models import (
    Meeting,
    MeetingAttendance,
    Problem,
    RequiredMaterial,
    Speech,
    StudyAttendance,
    StudySession,
    Talk,
)


class NotFoundOutsideScope:
    """A record outside the scope is a 404 (Django's admin would redirect to the index with a message)."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404


class ScopedHistoryAdmin(NotFoundOutsideScope, SimpleHistoryAdmin, ScopedAdmin):
    """History pages of a scoped model. simple-history falls back to the history rows of an object that
    `get_queryset` hides, which would show another township's record: refuse that as a 404 first."""

    def _guard(self, request, object_id):
        if not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._guard(request, object_id)
        return super().history_view(request, object_id, extra_context=extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._guard(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context=extra_context)


@admin.register(RequiredMaterial)
class RequiredMaterialAdmin(NotFoundOutsideScope, ScopedAdmin):
    """The cycle's required materials (R1.2) belong to no branch: every reviewer may read them."""

    list_display = ("title", "cycle", "order")
    list_filter = ("cycle",)
    search_fields = ("title",)
    ordering = ("cycle", "order")

    def get_queryset(self, request):
        return admin.ModelAdmin.get_queryset(self, request)


class StudyAttendanceInline(admin.TabularInline):
    model = StudyAttendance
    extra = 0
    raw_id_fields = ("member", "delivered_by")
    fields = ("member", "present", "absence_reason", "delivered_on", "delivery_method", "delivered_by")


@admin.register(StudySession)
class StudySessionAdmin(NotFoundOutsideScope, ScopedAdmin):
    branch_path = "branch"
    list_display = ("held_on", "branch", "form", "leader", "place")
    list_filter = ("cycle", "form", "branch__township", "branch")
    search_fields = ("branch__name", "place", "leader__name", "other_content")
    date_hierarchy = "held_on"
    filter_horizontal = ("materials",)
    raw_id_fields = ("leader",)
    inlines = [StudyAttendanceInline]
    list_select_related = ("branch", "leader")


@admin.register(StudyAttendance)
class StudyAttendanceAdmin(ScopedHistoryAdmin):
    branch_path = "session__branch"
    list_display = ("member", "session", "present", "absence_reason", "delivered_on", "delivery_method")
    list_filter = ("present", "delivery_method", "session__branch")
    search_fields = ("member__name", "absence_reason")
    raw_id_fields = ("member", "delivered_by")
    list_select_related = ("member", "session")


@admin.register(Talk)
class TalkAdmin(ScopedHistoryAdmin):
    branch_path = "branch"
    list_display = ("held_on", "branch", "by", "with_member", "means")
    list_filter = ("cycle", "means", "branch__township", "branch")
    search_fields = ("by__name", "with_member__name", "opinions_on_branch", "opinions_on_committee")
    date_hierarchy = "held_on"
    raw_id_fields = ("by", "with_member")
    readonly_fields = ("recorded_by",)
    list_select_related = ("branch", "by", "with_member")


@admin.register(Problem)
class ProblemAdmin(ScopedHistoryAdmin):
    branch_path = "branch"
    list_display = ("text", "owner", "area", "branch")
    list_filter = ("cycle", "area", "branch")
    search_fields = ("text", "member__name")
    raw_id_fields = ("member", "talks")
    list_select_related = ("branch", "member")

    @admin.display(description=_("问题属于"), ordering="member__name")
    def owner(self, obj):
        return obj.member.name if obj.member_id else _("支委会")


class MeetingAttendanceInline(admin.TabularInline):
    model = MeetingAttendance
    extra = 0
    raw_id_fields = ("member",)


class SpeechInline(admin.TabularInline):
    model = Speech
    extra = 0
    raw_id_fields = ("speaker", "target")


@admin.register(Meeting)
class MeetingAdmin(ScopedHistoryAdmin):
    branch_path = "branch"
    list_display = ("branch", "cycle", "planned_on", "held_on", "place", "township_invited")
    list_filter = ("cycle", "township_invited", "branch__township")
    search_fields = ("branch__name", "place", "township_attendee")
    inlines = [MeetingAttendanceInline, SpeechInline]
    list_select_related = ("branch", "cycle")


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(ScopedHistoryAdmin):
    branch_path = "meeting__branch"
    list_display = ("member", "meeting", "status", "reason", "elsewhere_org")
    list_filter = ("status", "meeting__branch")
    search_fields = ("member__name", "reason", "elsewhere_org")
    raw_id_fields = ("member",)
    list_select_related = ("member", "meeting__branch")


@admin.register(Speech)
class SpeechAdmin(ScopedHistoryAdmin):
    branch_path = "meeting__branch"
    list_display = ("order", "meeting", "kind", "speaker", "target", "matter")
    list_filter = ("kind", "meeting__branch")
    search_fields = ("speaker__name", "target__name", "matter")
    raw_id_fields = ("speaker", "target")
    list_select_related = ("speaker", "target", "meeting__branch")
