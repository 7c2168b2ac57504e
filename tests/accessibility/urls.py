"""The portal's URLs plus the field pages on home retrofits, until the lead includes them in jingan_portal.urls."""

from django.urls import include, path

from jingan_portal.urls import urlpatterns as portal

already = any(getattr(p, "namespace", None) == "field_retrofits" for p in portal)
urlpatterns = portal if already else [path("field/retrofits/", include("accessibility.urls")), *portal]
