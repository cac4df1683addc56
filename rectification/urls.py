from django.urls import path

from . import views

app_name = "rectification"

urlpatterns = [
    path("rectification/", views.measure_list, name="measure_list"),
    path("rectification/measures/new/", views.measure_create, name="measure_create"),
    path("rectification/measures/<int:pk>/", views.measure_detail, name="measure_detail"),
    path("rectification/commitments/", views.commitment_list, name="commitment_list"),
    path("rectification/public/", views.publicity_list, name="publicity_list"),
    path("rectification/public/notice.pdf", views.publicity_pdf, name="publicity_pdf"),
    path("rectification/filing/", views.filing_page, name="filing"),
    path("rectification/corrections/", views.correction_list, name="correction_list"),
    path("rectification/half-year/", views.half_year_page, name="half_year"),
    path("rectification/quarterly/", views.quarterly_page, name="quarterly"),
    path("rectification/quarterly/mine/", views.quarterly_mine, name="quarterly_mine"),
    path("township/rectification/", views.township_view, name="township"),
    path(
        "township/rectification/filings/<int:pk>/review/",
        views.township_filing_review,
        name="township_review",
    ),
    path(
        "township/rectification/branches/<int:pk>/correction/",
        views.township_correction,
        name="township_correction",
    ),
]
