from django.contrib import admin
from django.template.response import TemplateResponse

from branch.access import ScopedAdmin, access_township

from .models import BranchOverview
from .overview import overview_context


@admin.register(BranchOverview)
class BranchOverviewAdmin(ScopedAdmin):
    """The township overview inside admin (R7.1): the same rows as /township/, read-only."""

    branch_path = ""

    def changelist_view(self, request, extra_context=None):
        township = access_township(request.user, request.GET.get("township"))
        context = {
            **self.admin_site.each_context(request),
            **overview_context(request, township),
            "opts": self.model._meta,
            "title": f"{township} · 支部进度总览",
        }
        return TemplateResponse(request, "xinyi/admin_overview.html", context)
