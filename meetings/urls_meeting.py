from django.urls import path

from .views import meeting as views

# R4: the meeting of the current cycle for the logged-in secretary's or committee member's branch.
urlpatterns = [
    path("meeting/", views.meeting_detail, name="meeting_detail"),
    path("meeting/prepare/", views.meeting_detail, name="meeting_prepare"),  # the dashboard's R4.5 step
    path("meeting/hold/", views.meeting_hold, name="meeting_hold"),
    path("meeting/groups/", views.meeting_group_session, name="meeting_group_session"),
    path(
        "meeting/groups/<int:pk>/delete/",
        views.meeting_group_session_delete,
        name="meeting_group_session_delete",
    ),
    path("meeting/planner/", views.meeting_planner, name="meeting_planner"),
    path("meeting/notice.pdf", views.meeting_notice_pdf, name="meeting_notice_pdf"),
    path("meeting/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meeting/signin.pdf", views.meeting_signin_pdf, name="meeting_signin_pdf"),
    path("meeting/speeches/", views.meeting_speeches, name="meeting_speeches"),
    path("meeting/speeches/<int:pk>/move/", views.meeting_speech_move, name="meeting_speech_move"),
    path("meeting/speeches/<int:pk>/delete/", views.meeting_speech_delete, name="meeting_speech_delete"),
    path("meeting/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meeting/minutes.pdf", views.meeting_minutes_pdf, name="meeting_minutes_pdf"),
]
