"""The project's URLs plus one view that fails, to see the 500 page as a user would."""

from django.urls import path

from xinyi.urls import handler403, handler404, handler500  # noqa: F401
from xinyi.urls import urlpatterns as project_urls


def boom(request):
    raise RuntimeError("测试用的故障")


urlpatterns = [path("boom/", boom), *project_urls]
