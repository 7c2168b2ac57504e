"""URLs of the field pages on home retrofits; included under /field/retrofits/."""

from django.urls import path

from . import views

app_name = "field_retrofits"
urlpatterns = [
    path("", views.retrofit_list, name="list"),
    path("apply/<int:pk>/", views.retrofit_apply, name="apply"),
    path("<int:pk>/withdraw/", views.retrofit_withdraw, name="withdraw"),
]
