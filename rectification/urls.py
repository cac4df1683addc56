from django.urls import path

from . import views

urlpatterns = [
    path("rectification/", views.measure_list, name="rectification_home"),
    path("rectification/measures/new/", views.measure_create, name="rectification_measure_create"),
    path("rectification/measures/<int:pk>/", views.measure_detail, name="rectification_measure_detail"),
    path("rectification/measures/<int:pk>/photo/", views.measure_photo, name="rectification_measure_photo"),
    path("rectification/measures/<int:pk>/edit/", views.measure_edit, name="rectification_measure_edit"),
    path(
        "rectification/measures/<int:pk>/delete/", views.measure_delete, name="rectification_measure_delete"
    ),
    path(
        "rectification/progress/<int:pk>/delete/", views.progress_delete, name="rectification_progress_delete"
    ),
    path("rectification/commitments/", views.commitment_list, name="rectification_commitment_list"),
    path(
        "rectification/commitments/<int:pk>/edit/",
        views.commitment_edit,
        name="rectification_commitment_edit",
    ),
    path(
        "rectification/commitments/<int:pk>/delete/",
        views.commitment_delete,
        name="rectification_commitment_delete",
    ),
    path("rectification/public/<int:pk>/edit/", views.publicity_edit, name="rectification_publicity_edit"),
    path(
        "rectification/public/<int:pk>/delete/", views.publicity_delete, name="rectification_publicity_delete"
    ),
    path(
        "rectification/quarterly/<int:pk>/delete/",
        views.quarterly_delete,
        name="rectification_quarterly_delete",
    ),
    path("rectification/public/", views.publicity_list, name="rectification_publicity_list"),
    path("rectification/public/notice.pdf", views.publicity_pdf, name="rectification_publicity_pdf"),
    path("rectification/filing/", views.filing_page, name="rectification_filing"),
    path("rectification/corrections/", views.correction_list, name="rectification_correction_list"),
    path("rectification/half-year/", views.half_year_page, name="rectification_half_year"),
    path("rectification/quarterly/", views.quarterly_page, name="rectification_quarterly"),
    path("rectification/quarterly/mine/", views.quarterly_mine, name="rectification_quarterly_mine"),
    path("township/rectification/", views.township_view, name="rectification_township"),
    path(
        "township/rectification/filings/<int:pk>/review/",
        views.township_filing_review,
        name="rectification_township_review",
    ),
    path(
        "township/rectification/branches/<int:pk>/correction/",
        views.township_correction,
        name="rectification_township_correction",
    ),
]
