from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "组织生活会和民主评议党员 · 管理"
admin.site.site_title = "组织生活会管理"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.me, name="me"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
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
