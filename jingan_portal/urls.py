"""Top-level URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, reverse_lazy
from django.utils.text import format_lazy
from django.views.generic import RedirectView

from accessibility.selectors import PlaceKind
from accounts import views as account_views
from accounts.forms import AdminLoginForm, LoginForm
from events import views as event_views
from events.sitemaps import SITEMAPS
from reports import views as report_views

from . import views

admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", event_views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/ready", views.healthz_ready, name="healthz_ready"),
    path("display/", views.set_display, name="set_display"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/two-factor/setup/", account_views.otp_setup, name="otp_setup"),
    path("accounts/two-factor/", account_views.otp_verify, name="otp_verify"),
    path("accounts/two-factor/recovery-codes/", account_views.otp_recovery_codes, name="otp_recovery_codes"),
    path("events/", include("events.urls")),
    path("accessibility-statement/", event_views.accessibility_statement, name="accessibility_statement"),
    path("places/", include("accessibility.public_urls")),
    # The rehabilitation homes' own page became the directory's list of that kind (#21); old links still work.
    path(
        "rehab-homes/",
        RedirectView.as_view(
            url=format_lazy("{}?kind={}", reverse_lazy("places:list"), PlaceKind.REHAB_HOME.value),
            permanent=True,
        ),
        name="rehab_homes",
    ),
    path("apply/", include("services.applications.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("reports/", include("reports.urls")),
    path("open-data/", report_views.open_data, name="open_data"),
    path("api/", include("reports.api_urls")),
    path("exports/", include("exports.urls")),
    path("field/events/", include("events.field_urls")),
    path("field/retrofits/", include("accessibility.urls")),
    path("field/employment/", include("employment.field_urls")),
    path("field/applications/", include("services.applications.field_urls")),
    path("field/", include("services.visits.urls")),
    path("volunteer/", include("services.escorts.urls")),
    path("admin/", admin.site.urls),
]
