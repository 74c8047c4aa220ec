from django.urls import URLPattern, path

from mnr.evidence import views

urlpatterns: list[URLPattern] = [
    path("submissions/<int:pk>/evidence/", views.upload, name="evidence-upload"),
    path("submissions/<int:pk>/evidence/remove/", views.remove, name="evidence-remove"),
    path(
        "submissions/<int:pk>/evidence/<int:evidence_id>/",
        views.download,
        name="evidence-download",
    ),
]
