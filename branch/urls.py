from django.urls import path

from . import views

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/template.xlsx", views.roster_template, name="roster_template"),
    path("members/export.xlsx", views.roster_export, name="roster_export"),
    path("members/import/", views.roster_import, name="roster_import"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/leave/", views.member_leave, name="member_leave"),
    path("branches/<int:pk>/", views.branch_detail, name="branch_detail"),
    path("branches/<int:pk>/posts/", views.post_list, name="post_list"),
    path("posts/<int:pk>/end/", views.post_end, name="post_end"),
]
