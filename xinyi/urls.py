from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import archive, dashboard, overview, views

admin.site.site_header = "组织生活会和民主评议党员 · 管理"
admin.site.site_title = "组织生活会管理"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # R0.1, R7.1, R7.2: the dashboard, the township overview and the archive
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/archive.pdf", archive.branch_archive, name="dashboard_archive"),
    path("township/", overview.township_overview, name="township_overview"),
    path(
        "township/branches/<int:pk>/", dashboard.township_branch_dashboard, name="township_branch_dashboard"
    ),
    path(
        "township/branches/<int:pk>/archive.pdf",
        archive.township_branch_archive,
        name="township_branch_archive",
    ),
    path("township/archives/", overview.bundle_status, name="township_bundle"),
    path("township/archives/new/", overview.bundle_create, name="township_bundle_create"),
    path("township/archives/<int:pk>/download/", overview.bundle_download, name="township_bundle_download"),
    path("", include("branch.urls")),
    path("", include("meetings.urls")),
    path("", include("appraisal.urls")),
    path("", include("rectification.urls")),
]

handler403 = "xinyi.views.forbidden"
handler404 = "xinyi.views.not_found"
handler500 = "xinyi.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
