"""URLs of the employment pages in the field app, under /field/employment/."""

from django.urls import path

from . import field_views

app_name = "field_employment"
urlpatterns = [path("referrals/new/<int:follow_up>/", field_views.referral_new, name="refer")]
