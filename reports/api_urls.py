"""URLs of the open-data API under /api/: /api/v1/, each dataset's endpoints from api.DATASETS, and a JSON 404."""

from django.urls import path, re_path

from . import api
from .opendata import API_VERSION

app_name = "api"

VERSION = f"v{API_VERSION}/"

urlpatterns = [
    path(VERSION, api.index, name="index"),
    *(
        path(f"{VERSION}{dataset.key}/{endpoint.route}", endpoint.view, name=endpoint.name)
        for dataset in api.DATASETS
        for endpoint in dataset.endpoints
    ),
    # Last: whatever else is asked under /api/ (another version, a typo, a year that is not a number).
    re_path(r"^(?P<rest>.*)$", api.not_found, name="not_found"),
]
