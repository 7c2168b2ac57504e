"""URLs of the reports app: the staff dashboard under /reports/dashboard/, the public page /reports/<year>/."""

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("dashboard/", views.dashboard_index, name="dashboard_index"),
    path("dashboard/<int:year>/", views.dashboard, name="dashboard"),
    path("dashboard/<int:year>/compute/", views.report_compute, name="compute"),
    path("dashboard/<int:year>/export.xlsx", views.report_export, name="export"),
    path("dashboard/<int:year>/print/", views.report_print, name="print"),
    path("dashboard/<int:year>/figures/<slug:key>/", views.figure_records, name="records"),
    path("dashboard/<int:year>/figures/<slug:key>/export.xlsx", views.figure_records_export, name="records_export"),
    path("dashboard/<int:year>/more/", views.more_figures, name="more"),
    path("dashboard/report/<int:pk>/freeze/", views.report_freeze, name="freeze"),
    path("<int:year>/", views.public_report_page, name="public"),
]
