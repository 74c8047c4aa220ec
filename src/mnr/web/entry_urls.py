"""Answer entry and review pages. The names are what other pages link to."""

from django.urls import URLPattern, path

from mnr.web import entry

urlpatterns: list[URLPattern] = [
    path("submissions/", entry.submissions, name="submissions"),
    path("submissions/<int:pk>/", entry.submission_page, name="submission"),
    path("submissions/<int:pk>/save/", entry.submission_save, name="submission-save"),
    path("submissions/<int:pk>/submit/", entry.submission_submit, name="submission-submit"),
    path("submissions/<int:pk>/review/", entry.submission_review, name="submission-review"),
    path("submissions/<int:pk>/return/", entry.submission_return, name="submission-return"),
    path("submissions/<int:pk>/validate/", entry.submission_validate, name="submission-validate"),
    path("submissions/<int:pk>/comment/", entry.submission_comment, name="submission-comment"),
    path("submissions/<int:pk>/reopen/", entry.submission_reopen, name="submission-reopen"),
    path("submissions/<int:pk>/history/", entry.submission_history, name="submission-history"),
]
