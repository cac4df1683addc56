from django.urls import path

from . import views

urlpatterns = [
    path("appraisal/", views.appraisal_home, name="appraisal_home"),
    path("appraisal/self-mutual/", views.self_mutual_list, name="appraisal_self_mutual"),
    path("appraisal/self-mutual/<int:member_id>/", views.self_mutual_edit, name="appraisal_self_mutual_edit"),
    path("appraisal/ballot.pdf", views.ballot_pdf, name="appraisal_ballot_pdf"),
    path("appraisal/tally/", views.tally_page, name="appraisal_tally"),
    path("appraisal/tally/ballot/", views.ballot_entry, name="appraisal_ballot"),
    path("appraisal/tally/ballot/undo/", views.ballot_undo, name="appraisal_ballot_undo"),
    path("appraisal/tally/totals/", views.totals_entry, name="appraisal_totals"),
    path("appraisal/tally/close/", views.tally_close, name="appraisal_tally_close"),
    path("appraisal/tally.xlsx", views.export_tally, name="appraisal_export_tally"),
    path("appraisal/grades/", views.grades_page, name="appraisal_grades"),
    path("appraisal/grades/feedback/", views.feedback_table, name="appraisal_feedback_table"),
    path("appraisal/grades/results.xlsx", views.export_results, name="appraisal_export_results"),
    path("appraisal/grades/<int:member_id>/", views.grade_edit, name="appraisal_grade_edit"),
    path("appraisal/grades/<int:member_id>/history/", views.grade_history, name="appraisal_grade_history"),
    path("appraisal/grades/<int:member_id>/feedback/", views.feedback_edit, name="appraisal_feedback"),
    path("appraisal/grades/<int:member_id>/follow-up/", views.follow_up_edit, name="appraisal_follow_up"),
    path("appraisal/township/", views.township_appraisal, name="appraisal_township"),
]
