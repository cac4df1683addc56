from django.contrib import admin

from branch.access import ScopedHistoryAdmin

from .models import (
    Commitment,
    Correction,
    Filing,
    HalfYearReport,
    Measure,
    ProgressEntry,
    Publicity,
    QuarterlyReport,
)


class ProgressInline(admin.TabularInline):
    model = ProgressEntry
    extra = 0


@admin.register(Measure)
class MeasureAdmin(ScopedHistoryAdmin):
    list_display = ["text", "branch", "responsible", "due_on", "status", "closed_on"]
    list_filter = ["cycle", "status"]
    list_select_related = ["branch", "responsible"]
    filter_horizontal = ["problems", "talks"]
    inlines = [ProgressInline]


@admin.register(Commitment)
class CommitmentAdmin(ScopedHistoryAdmin):
    branch_path = "member__branch"
    list_display = ["member", "text", "due_on"]
    list_select_related = ["member"]


@admin.register(Publicity)
class PublicityAdmin(ScopedHistoryAdmin):
    list_display = ["branch", "published_on", "means"]


@admin.register(Filing)
class FilingAdmin(ScopedHistoryAdmin):
    list_display = ["branch", "status", "filed_on", "times_filed", "reviewed_on"]
    list_filter = ["status"]


@admin.register(HalfYearReport)
class HalfYearReportAdmin(ScopedHistoryAdmin):
    list_display = ["branch", "reported_on", "means"]


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(ScopedHistoryAdmin):
    branch_path = "member__branch"
    list_display = ["member", "quarter", "reported_on", "venue"]
    list_select_related = ["member"]


@admin.register(Correction)
class CorrectionAdmin(ScopedHistoryAdmin):
    list_display = ["branch", "issued_on", "text", "answered_on"]
