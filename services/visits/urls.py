"""URLs of the field app, under /field/."""

from django.urls import path

from services.escorts import views as escorts_views
from services.registry import views as registry_views
from services.rehab import views as rehab_views
from services.visits import views as visits_views

app_name = "field"
urlpatterns = [
    path("", visits_views.my_street, name="home"),
    path("sw.js", visits_views.service_worker, name="service_worker"),
    path("offline/", visits_views.offline, name="offline"),
    path("offline/saved/", visits_views.saved_offline, name="saved_offline"),
    path("persons/<int:pk>/", visits_views.person_detail, name="person"),
    path("persons/<int:pk>/visit/", visits_views.visit_create, name="visit"),
    path("persons/<int:pk>/escort/", escorts_views.escort_request, name="escort"),
    path("quality/", registry_views.data_quality, name="quality"),
    path("follow-ups/<int:follow_up>/", visits_views.follow_up_detail, name="follow_up"),
    path("quality/<slug:check>/<slug:street>/", registry_views.data_quality_persons, name="quality_persons"),
    path("follow-ups/<int:follow_up>/rehab/", rehab_views.rehab_refer, name="rehab_refer"),
]
