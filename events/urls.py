"""Public URLs under /events/."""

from django.urls import path

from . import feeds, views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("past/", views.past_events, name="past"),
    path("feed.ics", views.calendar_feed, name="calendar_feed"),
    path("feed.rss", feeds.EventFeed(), name="rss"),
    path("feed.atom", feeds.EventAtomFeed(), name="atom"),
    path("registrations/lost-link/", views.registration_link_resend, name="resend_link"),
    path("registrations/lost-link/sent/", views.registration_link_resent, name="resend_link_sent"),
    path("registrations/<str:token>/", views.registration_status, name="registration"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/register/", views.event_register, name="register"),
    path("<slug:slug>/register/sent/", views.registration_sent, name="registration_sent"),
    path("<slug:slug>/event.ics", views.event_ics, name="ics"),
]
