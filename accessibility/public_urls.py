"""URLs of the public directory of accessible places; included under /places/."""

from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.place_list, name="list"),
    path("places.csv", views.place_list_csv, name="csv"),
    path("places.json", views.place_list_json, name="json"),
]
