"""URLs of an export job: its page, its progress for the page's script, its file."""

from django.urls import path

from . import views

app_name = "exports"
urlpatterns = [
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/status.json", views.job_status, name="status"),
    path("<int:pk>/download/", views.download, name="download"),
]
