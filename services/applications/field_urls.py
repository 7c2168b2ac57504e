"""URLs of the committee members' online applications, under /field/applications/."""

from django.urls import path

from services.applications import views

app_name = "field_applications"
urlpatterns = [
    path("", views.field_application_list, name="list"),
    path("<int:pk>/", views.field_application_detail, name="detail"),
]
