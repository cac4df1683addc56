from django.urls import path

from . import views

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("branches/<int:pk>/", views.branch_detail, name="branch_detail"),
]
