"""R1–R3: study, talks, problems. The cycle is the current one; URLs do not carry the year."""

from django.urls import path

from .views import before as views

urlpatterns = [
    path("study/", views.study_list, name="study_list"),
    path("study/new/", views.study_create, name="study_create"),
    path("study/<int:pk>/", views.study_detail, name="study_detail"),
    path("study/<int:pk>/signin.pdf", views.study_signin_pdf, name="study_signin_pdf"),
    path("study/absence/<int:pk>/deliver/", views.study_delivery_create, name="study_delivery_create"),
    path("talks/", views.talk_list, name="talk_list"),
    path("talks/new/", views.talk_create, name="talk_create"),
    path("talks/coverage/", views.talk_coverage, name="talk_coverage"),
    path("talks/register.xlsx", views.talk_register_xlsx, name="talk_register_xlsx"),
    path("talks/<int:pk>/to-problem/", views.problem_from_talk, name="problem_from_talk"),
    path("problems/", views.problem_list, name="problem_list"),
    path("problems/new/", views.problem_create, name="problem_create"),
    path("me/problems/new/", views.my_problem_create, name="my_problem_create"),
]
