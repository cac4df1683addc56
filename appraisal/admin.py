from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from branch.access import ScopedAdmin

from .models import Feedback, FollowUp, Grade, SelfMutual, Tally


@admin.register(SelfMutual)
class SelfMutualAdmin(ScopedAdmin):
    branch_path = "member__branch"
    list_display = ["member", "cycle", "self_done", "mutual_done"]


@admin.register(Tally)
class TallyAdmin(ScopedAdmin):
    """The counts only; ballot sheets are not in the admin (nothing there could be linked to anyone anyway)."""

    list_display = ["branch", "cycle", "issued", "returned", "valid", "invalid", "mode", "is_closed"]


@admin.register(Grade)
class GradeAdmin(ScopedAdmin, SimpleHistoryAdmin):
    """Grades with their change history (R5.4), read-only for the township reviewer."""

    list_display = ["member", "branch", "cycle", "grade", "decided_on"]
    list_filter = ["grade"]


@admin.register(Feedback)
class FeedbackAdmin(ScopedAdmin):
    branch_path = "grade__branch"
    list_display = ["grade", "given_on", "means", "by"]


@admin.register(FollowUp)
class FollowUpAdmin(ScopedAdmin):
    branch_path = "grade__branch"
    list_display = ["grade", "handling", "deadline"]
