"""URLs of the public directory of accessible places; included under /places/ (its downloads: reports.api)."""

from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.place_list, name="list"),
]
