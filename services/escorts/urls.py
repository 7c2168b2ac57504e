"""URLs of the volunteers' pages, under /volunteer/."""

from django.urls import path

from services.escorts import views

app_name = "volunteer"
urlpatterns = [
    path("", views.volunteer_home, name="home"),
    path("certificate/<int:year>/", views.volunteer_certificate, name="certificate"),
    path("escorts/<int:pk>/complete/", views.volunteer_outcome, {"outcome": "complete"}, name="complete"),
    path("escorts/<int:pk>/no-show/", views.volunteer_outcome, {"outcome": "no-show"}, name="no_show"),
    path("escorts/<int:pk>/decline/", views.volunteer_outcome, {"outcome": "decline"}, name="decline"),
]
