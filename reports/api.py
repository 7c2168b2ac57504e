"""The open-data API under /api/v1/: read-only JSON and CSV of what the public pages publish, and its datasets.

Each dataset is one `Dataset` in DATASETS: its endpoints (route, view, what each answers) and the fields of
its documents. The index /api/v1/, the URL conf (reports.api_urls) and the documentation page /open-data/ are
made from it, so another dataset is added as one entry with its views, and is listed everywhere. Two today:
the published figures of the frozen reports, and the directory of accessible places (whose page links here
for its downloads).

Every endpoint goes through `endpoint`: GET and HEAD only (405), a rate limit per client address
(core.ratelimit: 429 with Retry-After), no query parameter but the endpoint's own (400), and the answer kept
in Django's cache under `opendata.cache_version()`, which freezing a report renews: a cached answer costs no
database query. Errors are JSON too: {"error": {"code", "message", "documentation"}}, never a page.
"""

import dataclasses
import datetime
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.functional import Promise
from django.utils.http import http_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from accessibility.forms import PlaceFilterForm
from accessibility.selectors import PLACE_COLUMNS, PublicPlace, public_place_list
from core import ratelimit
from core.excel import csv_bytes
from core.http import client_bucket
from core.input import FIRST_YEAR, LAST_YEAR

from . import opendata, selectors
from .models import AnnualReport

RATE_SCOPE = "opendata"
RATE_WINDOW_SECONDS = 60
# The server's copy is renewed when a report is frozen; the clock only bounds how long a renamed street's
# label (reference data, in the documents) may take to show.
CACHE_SECONDS = 60 * 60
CACHE_PREFIX = "opendata:answer"
JSON = "application/json"
CSV = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Answer:
    """An endpoint's document as sent and as cached: its bytes, type, tag and date, and a download's file name."""

    body: bytes
    content_type: str
    etag: str
    last_modified: datetime.datetime | None = None
    filename: str = ""


class BadParameter(Exception):
    """A query parameter the endpoint reads has a value it cannot take (400); the message says why."""


def _answer(body: bytes, content_type: str, **kwargs: Any) -> Answer:
    return Answer(body, content_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"', **kwargs)


def json_answer(data: Any, **kwargs: Any) -> Answer:
    return _answer(json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).encode("utf-8"), JSON, **kwargs)


def _allow(response: HttpResponse) -> HttpResponse:
    # Open data: any site may read it from a browser (simple GET requests only: no credentials, no preflight).
    response["Access-Control-Allow-Origin"] = "*"
    response["Allow"] = "GET, HEAD"
    return response


def error(status: int, code: str, message: str) -> HttpResponse:
    """A JSON error in the reader's language, with where the API is documented."""
    body = {"error": {"code": code, "message": message, "documentation": reverse("open_data")}}
    response = HttpResponse(json.dumps(body, ensure_ascii=False), content_type=JSON, status=status)
    response["Cache-Control"] = "no-store"
    return _allow(response)


def _cache_key(name: str, kwargs: dict[str, Any], query: dict[str, str]) -> str:
    parts = json.dumps([name, kwargs, sorted(query.items())], ensure_ascii=True)
    return f"{CACHE_PREFIX}:{opendata.cache_version()}:{hashlib.sha256(parts.encode()).hexdigest()}"


def _send(request: HttpRequest, answer: Answer) -> HttpResponse:
    last_modified = answer.last_modified.timestamp() if answer.last_modified else None
    response = get_conditional_response(request, etag=answer.etag, last_modified=last_modified)
    if response is None:
        response = HttpResponse(answer.body, content_type=answer.content_type)
        if answer.filename:
            response["Content-Disposition"] = f'attachment; filename="{answer.filename}"'
    response["ETag"] = answer.etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = f"public, max-age={settings.OPEN_DATA_MAX_AGE_SECONDS}"
    return _allow(response)


def endpoint(
    *, params: frozenset[str] = frozenset(), cache_seconds: int = CACHE_SECONDS
) -> Callable[[Callable[..., Answer]], Callable[..., HttpResponse]]:
    """Make `build(query, **kwargs) -> Answer` an API view: GET/HEAD only, rate-limited, its query parameters
    `params` only (given to `build` as a dict), cached for `cache_seconds` at most; Http404 and BadParameter
    become JSON errors."""

    def decorate(build: Callable[..., Answer]) -> Callable[..., HttpResponse]:
        @csrf_exempt  # GET and HEAD only: nothing to forge, and a POST gets its 405 rather than a CSRF page
        @functools.wraps(build)
        def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return error(405, "method_not_allowed", gettext("The open-data API only answers GET and HEAD."))
            limit = settings.OPEN_DATA_REQUESTS_PER_MINUTE
            if ratelimit.hit(RATE_SCOPE, client_bucket(request), window=RATE_WINDOW_SECONDS) > limit:
                response = error(
                    429,
                    "rate_limited",
                    gettext("Too many requests from your address: at most %(limit)d a minute. Try again shortly.")
                    % {"limit": limit},
                )
                return ratelimit.with_retry_after(response, window=RATE_WINDOW_SECONDS)
            if set(request.GET) - params:
                return error(
                    400,
                    "unknown_parameter",
                    gettext("This address takes no query parameters other than: %(names)s.")
                    % {"names": ", ".join(sorted(params)) or "—"},
                )
            query = {name: request.GET[name] for name in params if name in request.GET}
            key = _cache_key(build.__name__, kwargs, query)
            answer = cache.get(key)
            if not isinstance(answer, Answer):
                try:
                    answer = build(query, **kwargs)
                except Http404:
                    return error(404, "not_found", gettext("There is no such open data."))
                except BadParameter as exc:
                    return error(400, "bad_parameter", str(exc))
                cache.set(key, answer, timeout=cache_seconds)
            return _send(request, answer)

        return view

    return decorate


def _in_each_language(text: Promise) -> dict[str, str]:
    texts = {}
    for code in opendata.languages():
        with translation.override(code):
            texts[code] = str(text)
    return texts


# The reports dataset: the published figures of every frozen report.


def _frozen_report(year: int) -> AnnualReport:
    """The official report of `year`. Raises Http404 when the year is out of range or has none."""
    report = selectors.official_report(year) if FIRST_YEAR <= year <= LAST_YEAR else None
    if report is None:
        raise Http404
    return report


@endpoint()
def report_years(query: dict[str, str]) -> Answer:
    years = selectors.published_years()
    return json_answer(
        {
            "dataset": "reports",
            "api_version": opendata.API_VERSION,
            "years": [
                {
                    "year": year,
                    "frozen_at": frozen_at,
                    "json": reverse("api:report", args=[year]),
                    "csv": reverse("api:report_csv", args=[year]),
                    "page": reverse("reports:public", args=[year]),
                }
                for year, frozen_at in years
            ],
        },
        last_modified=max((frozen_at for _year, frozen_at in years), default=None),
    )


@endpoint()
def report_year(query: dict[str, str], year: int) -> Answer:
    report = _frozen_report(year)
    return json_answer(opendata.report_data(report), last_modified=report.frozen_at)


@endpoint()
def report_year_csv(query: dict[str, str], year: int) -> Answer:
    report = _frozen_report(year)
    return _answer(
        opendata.report_csv(report),
        CSV,
        last_modified=report.frozen_at,
        filename=f"jingan-annual-report-{year}.csv",
    )


# The places dataset: the public directory of accessible places (accessibility.selectors.public_place_list).

# Staff edit places at any time and the accessibility app cannot renew this app's cache: a changed place shows
# within this many seconds.
PLACES_CACHE_SECONDS = 5 * 60
PLACE_PARAMS = frozenset({"street", "kind", "lang"})


def _places(query: dict[str, str]) -> tuple[str, list[PublicPlace]]:
    """The directory's language and places for the query's filters. Raises BadParameter for an unknown value."""
    language = query.get("lang", settings.LANGUAGE_CODE)
    if language not in opendata.languages():
        raise BadParameter(gettext("lang must be one of: %(codes)s.") % {"codes": ", ".join(opendata.languages())})
    form = PlaceFilterForm({"street": query.get("street", ""), "kind": query.get("kind", "")})
    if not form.is_valid():
        raise BadParameter(" ".join(str(message) for messages in form.errors.values() for message in messages))
    with translation.override(language):
        places = public_place_list(street_code=form.cleaned_data["street"], kind=form.cleaned_data["kind"])
    return language, places


@endpoint(params=PLACE_PARAMS, cache_seconds=PLACES_CACHE_SECONDS)
def places(query: dict[str, str]) -> Answer:
    language, rows = _places(query)
    return json_answer(
        {
            "dataset": "places",
            "api_version": opendata.API_VERSION,
            "language": language,
            "count": len(rows),
            "places": [dataclasses.asdict(place) for place in rows],
        }
    )


@endpoint(params=PLACE_PARAMS, cache_seconds=PLACES_CACHE_SECONDS)
def places_csv(query: dict[str, str]) -> Answer:
    language, rows = _places(query)
    with translation.override(language):
        header = [str(title) for _name, title in PLACE_COLUMNS]
    body = csv_bytes(header, ([getattr(place, name) for name, _title in PLACE_COLUMNS] for place in rows))
    return _answer(body, CSV, filename=f"jingan-accessible-places-{language}.csv")


# The registry.


@dataclass(frozen=True)
class Endpoint:
    """One address of a dataset: its route under the dataset's path, URL name, view and what it answers."""

    route: str
    name: str
    view: Callable[..., HttpResponse]
    description: Promise
    example: tuple[Any, ...] = ()  # the arguments of an example address; a frozen year is filled in for "year"


@dataclass(frozen=True)
class Field:
    """One field of a dataset's documents, for the documentation page."""

    name: str
    type: str
    description: Promise


@dataclass(frozen=True)
class Dataset:
    """A dataset of the API, published under /api/v1/<key>/."""

    key: str
    title: Promise
    description: Promise
    endpoints: tuple[Endpoint, ...]
    fields: tuple[Field, ...]


REPORTS = Dataset(
    key="reports",
    title=_("Annual report figures"),
    description=_(
        "The published figures of every official (frozen) annual report, with their breakdowns as the public "
        "report page shows them."
    ),
    endpoints=(
        Endpoint("", "reports", report_years, _("The years with an official report, and their addresses.")),
        Endpoint("<int:year>/", "report", report_year, _("A year's figures and breakdowns (JSON)."), ("year",)),
        Endpoint(
            "<int:year>/figures.csv",
            "report_csv",
            report_year_csv,
            _("The same figures as CSV: a line per figure, then a line per count of each breakdown."),
            ("year",),
        ),
    ),
    fields=(
        Field("year", "integer", _("The year of the report.")),
        Field("frozen_at", "date-time", _("When the report was made the official one (ISO 8601).")),
        Field("figures[].key", "string", _("The figure's identifier; it does not change between years.")),
        Field("figures[].label", "object", _("The figure's name, in Chinese (zh-hans) and English (en).")),
        Field("figures[].unit", "object", _("What the figure counts (its unit), in both languages.")),
        Field("figures[].value", "integer", _("The figure for the whole district.")),
        Field("figures[].plan", "integer | null", _("The approved target of the year, if there is one.")),
        Field("figures[].percent_of_plan", "integer | null", _("The value as a percentage of the target.")),
        Field("figures[].above_plan", "integer | null", _("How many per cent above the target the value is.")),
        Field("figures[].sentence", "object | null", _("The figure as the report's sentence, in both languages.")),
        Field(
            "figures[].breakdowns[].name",
            "string",
            _("What the figure is broken down by: street, category (of disability), hospital, type..."),
        ),
        Field("figures[].breakdowns[].counts[].key", "string", _("The street code, category number or other key.")),
        Field(
            "figures[].breakdowns[].counts[].value",
            "integer | null",
            _("The count; null when it is hidden to protect privacy (an empty cell in the CSV)."),
        ),
    ),
)

PLACES = Dataset(
    key="places",
    title=_("Accessible places"),
    description=_(
        "The public directory of accessible places: sign-language video points in service, certified "
        "rehabilitation homes and the ramps of residential compounds marked public. Query parameters: street "
        "(a street code), kind (sign_language_point, rehab_home or ramp) and lang (zh-hans or en)."
    ),
    endpoints=(
        Endpoint("", "places", places, _("Every place, or those of one street or kind (JSON).")),
        Endpoint(
            "places.csv", "places_csv", places_csv, _("The same places as CSV: a line per place, headers in lang.")
        ),
    ),
    fields=(
        Field("language", "string", _("The language of the texts (lang).")),
        Field("count", "integer", _("How many places the list holds.")),
        Field("places[].kind", "string", _("sign_language_point, rehab_home or ramp.")),
        Field("places[].kind_label", "string", _("The kind of place in words.")),
        Field("places[].name", "string", _("The place's name.")),
        Field("places[].address", "string", _("Its address.")),
        Field("places[].street_code", "string", _("The code of its street (sub-district).")),
        Field("places[].street_name", "string", _("The street's name.")),
        Field("places[].hours", "string", _("When it is open; empty when not known.")),
        Field("places[].access_notes", "string", _("How to get in and what is there for disabled visitors.")),
        Field("places[].services", "string", _("What it offers; empty when not known.")),
        Field("places[].phone", "string", _("The place's public telephone number; never a person's.")),
    ),
)

# Every dataset of the API, in the order of the index.
DATASETS: tuple[Dataset, ...] = (REPORTS, PLACES)


@endpoint()
def index(query: dict[str, str]) -> Answer:
    return json_answer(
        {
            "api_version": opendata.API_VERSION,
            "documentation": reverse("open_data"),
            "licence": _in_each_language(opendata.LICENCE),
            "datasets": [
                {
                    "key": dataset.key,
                    "title": _in_each_language(dataset.title),
                    "description": _in_each_language(dataset.description),
                    "url": reverse(f"api:{dataset.endpoints[0].name}"),
                }
                for dataset in DATASETS
            ],
        }
    )


@csrf_exempt  # answers every method alike, and changes nothing
def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other address under /api/: a JSON 404, never the site's HTML page."""
    return error(404, "not_found", gettext("There is no such open data."))


def documented(year: int) -> list[tuple[Dataset, list[tuple[Endpoint, str]]]]:
    """Every dataset with each endpoint's example address (`year` standing for a year), for the documentation."""
    return [
        (
            dataset,
            [
                (
                    endpoint,
                    reverse(f"api:{endpoint.name}", args=[year if a == "year" else a for a in endpoint.example]),
                )
                for endpoint in dataset.endpoints
            ],
        )
        for dataset in DATASETS
    ]
