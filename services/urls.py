"""URLs of the field app, under /field/."""

from django.urls import path

from . import rehab_views, views

app_name = "field"
urlpatterns = [
    path("", views.my_street, name="home"),
    path("persons/<int:pk>/", views.person_detail, name="person"),
    path("persons/<int:pk>/visit/", views.visit_create, name="visit"),
    path("persons/<int:pk>/escort/", views.escort_request, name="escort"),
    path("quality/", views.data_quality, name="quality"),
    path("follow-ups/<int:follow_up>/rehab/", rehab_views.rehab_refer, name="rehab_refer"),
]
