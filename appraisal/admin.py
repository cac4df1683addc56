from django.contrib import admin

from branch.access import ScopedHistoryAdmin

from .models import Feedback, FollowUp, Grade, SelfMutual, Tally


@admin.register(SelfMutual)
class SelfMutualAdmin(ScopedHistoryAdmin):
    branch_path = "member__branch"
    list_display = ["member", "cycle", "self_done", "mutual_done"]


@admin.register(Tally)
class TallyAdmin(ScopedHistoryAdmin):
    """The counts only; ballot sheets are not in the admin (nothing there could be linked to anyone anyway)."""

    list_display = ["branch", "cycle", "issued", "returned", "valid", "invalid", "mode", "is_closed"]


@admin.register(Grade)
class GradeAdmin(ScopedHistoryAdmin):
    """Grades with their change history (R5.4), read-only for the township reviewer."""

    list_display = ["member", "branch", "cycle", "grade", "decided_on"]
    list_filter = ["grade"]


@admin.register(Feedback)
class FeedbackAdmin(ScopedHistoryAdmin):
    branch_path = "grade__branch"
    list_display = ["grade", "given_on", "means", "by"]


@admin.register(FollowUp)
class FollowUpAdmin(ScopedHistoryAdmin):
    branch_path = "grade__branch"
    list_display = ["grade", "handling", "deadline"]
