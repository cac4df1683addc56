from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import accounts, archive, dashboard, history, levels, onboarding, overview, views

admin.site.site_header = "组织生活会和民主评议党员 · 管理"
admin.site.site_title = "组织生活会管理"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    # Login, logout and changing one's own password. No e-mail reset: the secretary resets a member's password.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # ops: account unlock/reset and the change history of any tracked record
    path("accounts/manage/", accounts.account_list, name="account_list"),
    path("accounts/manage/members/<int:member_id>/new/", accounts.account_create_view, name="account_create"),
    path("accounts/manage/<int:user_id>/unlock/", accounts.account_unlock_view, name="account_unlock"),
    path(
        "accounts/manage/<int:user_id>/password/",
        accounts.account_password_reset_view,
        name="account_password_reset",
    ),
    path("history/<str:app_label>/<str:model_name>/<int:pk>/", history.history_page, name="history"),
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
    # Year after year: opening the next cycle, asking for, confirming or sending back a branch's closing
    path("township/open-next/", overview.cycle_open_page, name="cycle_open"),
    path("dashboard/close/request/", dashboard.dashboard_close_request, name="dashboard_close_request"),
    path("township/branches/<int:pk>/close/", dashboard.township_branch_close, name="township_branch_close"),
    path(
        "township/branches/<int:pk>/return/", dashboard.township_branch_return, name="township_branch_return"
    ),
    # Above the township (issue 12): the banner's and the city's overview, read-only; a banner opens a year
    path("banner/", levels.banner_overview, name="banner_overview"),
    path("banner/open-next/", levels.banner_open, name="banner_open"),
    path("city/", levels.city_overview, name="city_overview"),
    # The township onboards its branches and their secretaries' logins (issue 12)
    path("township/branches/manage/", onboarding.branches_page, name="onboarding_branches"),
    path("township/branches/manage/done/", onboarding.onboarding_done, name="onboarding_done"),
    path("township/branches/manage/slips.pdf", onboarding.onboarding_slips, name="onboarding_slips"),
    path("township/branches/manage/import/", onboarding.onboarding_import, name="onboarding_import"),
    path(
        "township/branches/manage/template.xlsx", onboarding.onboarding_template, name="onboarding_template"
    ),
    path("township/branches/<int:pk>/rename/", onboarding.branch_rename_view, name="onboarding_rename"),
    path("township/branches/<int:pk>/retire/", onboarding.branch_retire_view, name="onboarding_retire"),
    path(
        "township/branches/<int:pk>/secretary/",
        onboarding.secretary_login_reset,
        name="onboarding_secretary_reset",
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
# Uploaded files (photos, archive ZIPs) are never served from MEDIA_URL: each goes through a view that checks access.
