from django.urls import include, path

# Two steps of the plan live in this app, each with its own URL module.
urlpatterns = [
    path("", include("meetings.urls_before")),  # R1–R3: study, talks, problems
    path("", include("meetings.urls_meeting")),  # R4: the meeting
]
