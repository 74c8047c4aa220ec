from django.urls import path

from mnr.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("framework/<slug:code>/", views.framework, name="framework"),
    path("rounds/<slug:code>/", views.round_detail, name="round"),
]
