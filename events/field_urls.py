"""URLs of the committee members' event pages, under /field/events/."""

from django.urls import path

from . import field_views

app_name = "field_events"
urlpatterns = [
    path("", field_views.event_list, name="list"),
    path("<slug:slug>/", field_views.event_registrations, name="event"),
]
