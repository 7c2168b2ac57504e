"""Public URLs of online applications, under /apply/."""

from django.urls import path

from services.applications import views

app_name = "applications"
urlpatterns = [
    path("", views.apply_start, name="start"),
    path("code/", views.apply_code, name="code"),
    path("status/<str:token>/", views.apply_status, name="status"),
]
