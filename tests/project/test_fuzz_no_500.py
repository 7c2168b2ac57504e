"""No server error on malformed input, generated from the URL conf: every pattern, as every role.

For each URL pattern of `get_resolver()` (walked by the access matrix, whose records and role users are
reused) and each role that can open it, junk goes into

- every path converter (0, -1, 2**64, a 20-digit number, non-ASCII and NUL for str/slug/path);
- every query parameter the view reads: the names are found by an AST scan of the project's modules
  (`request.GET.get("x")`, `request.GET["x"]`, `self.request.GET...`, a name bound to `request.GET`),
  plus, on admin changelists, each list filter's `expected_parameters()`, the admin's own (`q`, `o`,
  `p`, `e`, the date hierarchy's keys) and `_changelist_filters`; and the fields of the page's GET forms;
- every field of the page's POST forms, sent back with junk values (each POST is rolled back);
- the raw query string (non-UTF-8 bytes, NUL, a broken percent escape).

Junk is a fixed list (NUL, 10k characters, huge and negative numbers, bad dates, lists of values) plus a
small hypothesis budget on top. A response of 500 or more is collected with the URL, role and parameter,
and all are reported at once.
"""

import ast
import functools
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.core.cache import cache
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import URLPattern, get_resolver, reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from services.models import User
from tests.project import test_access_matrix
from tests.project.test_access_matrix import ANON, AUDITOR, MEMBER_A, STAFF, VOLUNTEER, World, _walk, entries

world = test_access_matrix.world  # the matrix's records, built once for this module too

pytestmark = pytest.mark.django_db

SUPERUSER = "superuser"
FUZZ_ROLES = (SUPERUSER, STAFF, AUDITOR, MEMBER_A, VOLUNTEER, ANON)

HUGE = "99999999999999999999"  # 20 digits: past PostgreSQL's bigint
# One value per kind of trouble, sent to every parameter and every form field.
JUNK: list[Any] = [
    "\x00",
    HUGE,
    str(2**64),
    "-1",
    "0",
    "abc",
    "2023-02-30",
    "-2023",
    "9999",
    "1e309",
    "x" * 10_000,
    ["1", "abc", "\x00"],
]
# Fewer for each parameter alone, for a form sent back, and for the pages another role covers fully.
JUNK_EACH: list[Any] = [HUGE, "9999", "abc"]
JUNK_FORM: list[Any] = ["\x00", HUGE, "-1", "x" * 10_000, ["1", "abc"]]
JUNK_LIGHT: list[Any] = ["\x00", HUGE, "-1", "x" * 10_000]
PATH_JUNK = {
    "int": ["0", HUGE, str(2**64)],
    "str": ["王王", "%00", "x" * 300],
    "slug": ["王王", "x" * 300],
    "path": ["王/王", "%00", "x" * 300],
    "uuid": ["00000000-0000-0000-0000-000000000000"],
}
RAW_QUERY_STRINGS = ["\xff\xfe=\xff&q=\xff", "a=%zz&b=%&year=%FF", "year=%00&page=%00&q=%00"]
ADMIN_PARAMETERS = {"_changelist_filters", "_popup", "_to_field"}
# Never fuzzed: logging out would end the role's session for the pages after it.
SKIPPED_NAMES = {"logout", "admin:logout"}

PROJECT_ROOT = Path(settings.BASE_DIR)
PROJECT_PACKAGES = ("accessibility", "accounts", "employment", "events", "jingan_portal", "reports", "services")


# --- the query parameters the views read, from the source ----------------------------------------------------


def _reads_query(node: ast.AST, aliases: set[str]) -> bool:
    """Whether `node` is request.GET / request.POST / self.request.GET or a name bound to one."""
    if isinstance(node, ast.Attribute) and node.attr in ("GET", "POST"):
        return True
    return isinstance(node, ast.Name) and node.id in aliases


@functools.cache
def query_parameters_by_module() -> dict[str, frozenset[str]]:
    """Every string key read from a request's GET or POST, by module (e.g. "services.visits.views": {"q", ...})."""
    found: dict[str, frozenset[str]] = {}
    for package in PROJECT_PACKAGES:
        for file in (PROJECT_ROOT / package).rglob("*.py"):
            if "migrations" in file.parts:
                continue
            tree = ast.parse(file.read_text(encoding="utf-8"))
            aliases = {
                target.id
                for node in ast.walk(tree)
                if isinstance(node, ast.Assign) and any(_reads_query(n, set()) for n in ast.walk(node.value))
                for target in node.targets
                if isinstance(target, ast.Name)
            }
            names = set()
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("get", "getlist", "__getitem__", "pop")
                    and _reads_query(node.func.value, aliases)
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    names.add(node.args[0].value)
                elif (
                    isinstance(node, ast.Subscript)
                    and _reads_query(node.value, aliases)
                    and isinstance(node.slice, ast.Constant)
                    and isinstance(node.slice.value, str)
                ):
                    names.add(node.slice.value)
            module = ".".join(file.relative_to(PROJECT_ROOT).with_suffix("").parts)
            found[module] = frozenset(names)
    return found


def view_module(pattern: URLPattern) -> str:
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None)
    target = view_class or getattr(callback, "model_admin", None) or callback
    module = getattr(target, "__module__", "") or ""
    # A model admin's own views are bound methods; their class says where the admin lives.
    bound_to = getattr(getattr(callback, "__wrapped__", None), "__self__", None)
    if bound_to is not None:
        module = type(bound_to).__module__
    return module


def admin_changelist_parameters(model_admin: admin.ModelAdmin, user: Any) -> set[str]:
    """The admin's own changelist parameters and every list filter's expected_parameters()."""
    request = RequestFactory().get("/")
    request.user = user
    request._messages = _NoMessages()
    names = {"q", "o", "p", "e", "_changelist_filters", "_popup", "_to_field", "all"}
    if model_admin.date_hierarchy:
        names |= {f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")}
    changelist: ChangeList = model_admin.get_changelist_instance(request)
    for spec in changelist.filter_specs:
        names |= set(spec.expected_parameters())
    return names


class _NoMessages:
    """A message store for the request that only lists the filters' parameters."""

    def add(self, *args, **kwargs):
        pass

    def __iter__(self):
        return iter(())


# --- forms on a page ----------------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The forms of a page: (method, action, [field names])."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, str, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(((attrs.get("method") or "get").lower(), attrs.get("action") or "", []))
        elif (
            tag in ("input", "select", "textarea", "button")
            and self.forms
            and attrs.get("name")
            and attrs.get("type") != "file"
        ):
            self.forms[-1][2].append(attrs["name"])


def page_forms(response) -> list[tuple[str, str, list[str]]]:
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return []
    parser = FormFields()
    parser.feed(response.content.decode("utf-8", "replace"))
    return parser.forms


# --- the walk -----------------------------------------------------------------------------------------------


def path_variants(route: str, url: str) -> Iterator[str]:
    """The valid URL with one path converter at a time replaced by junk (simple `<conv:name>` routes)."""
    converters = re.findall(r"<(?:(\w+):)?(\w+)>", route)
    if not converters or route.startswith("^"):
        return
    # Rebuild the URL from the route: the literal parts between converters stay as they are.
    parts = re.split(r"<(?:\w+:)?\w+>", route)
    prefix = "/" if not route.startswith("/") else ""
    values = _converter_values(route, url)
    if values is None:
        return
    for index, (converter, _name) in enumerate(converters):
        for junk in PATH_JUNK.get(converter or "str", []):
            chosen = [junk if i == index else v for i, v in enumerate(values)]
            yield prefix + "".join(p + (chosen[i] if i < len(chosen) else "") for i, p in enumerate(parts))


def _converter_values(route: str, url: str) -> list[str] | None:
    regex = "^/" + "".join(
        re.escape(part) if i % 3 == 0 else ("(.+)" if part == "path" else "([^/]+)")
        for i, part in enumerate(re.split(r"<(?:(\w+):)?(\w+)>", route))
        if i % 3 != 2
    )
    match = re.match(regex + "$", url.split("?")[0])
    return list(match.groups()) if match else None


FULLY_FUZZED: set[tuple[str, bool]] = set()


class Fuzzer:
    def __init__(self, world: World, role: str):
        self.world = world
        self.role = role
        self.client = Client(raise_request_exception=False)
        self.user = world.users.get(role)
        if role == SUPERUSER:
            self.user = world.users[SUPERUSER]
        self.failures: dict[tuple[str, str, str], str] = {}

    def login(self) -> None:
        if self.user is not None:
            self.client.force_login(self.user)

    def send(self, method: str, url: str, *, label: str, key: str, data: Any = None, **extra) -> Any:
        cache.clear()  # rate limits and cached pages start afresh
        with transaction.atomic():
            if method == "post":
                response = self.client.post(url, data or {}, **extra)
            else:
                response = self.client.get(url, data, **extra)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
        if response.status_code >= 500:
            exc = response.exc_info[1] if getattr(response, "exc_info", None) else None
            what = f"{type(exc).__name__}: {str(exc)[:120]!r}" if exc else str(response.status_code)
            self.failures.setdefault((key, label, type(exc).__name__), f"{method.upper()} {url[:100]} -> {what}")
        return response

    def fuzz(self, key: str, route: str, pattern: URLPattern, url: str) -> None:
        """Junk in the path, the query and the page's forms of one URL.

        Each page is fuzzed in full by the first role that opens it (the superuser first, so the admin's
        pages in full as the superuser), and once more in full anonymously (public pages are cached for
        anonymous readers only); the other roles, who run the same code, get the path, the raw query
        and a shorter junk list in every parameter at once.
        """
        self.login()
        page = self.send("get", url, label="valid URL", key=key)
        if page.status_code in (403, 405) or (page.status_code == 302 and _to_login(page["Location"])):
            return  # the role gets no further than this refusal, whatever it sends
        seen = (key, self.role == ANON)
        full = seen not in FULLY_FUZZED
        FULLY_FUZZED.add(seen)
        for variant in path_variants(route, url):
            self.send("get", variant, label=f"path {variant[:60]}", key=key)
        for raw in RAW_QUERY_STRINGS:
            self.send("get", url, label=f"raw query {raw!r}", key=key, QUERY_STRING=raw)
        names = set(query_parameters_by_module().get(view_module(pattern), ())) | {"page", "next"}
        if url.startswith("/admin/"):
            names |= ADMIN_PARAMETERS
        forms = page_forms(page)
        for method, _action, fields in forms:
            if method == "get":
                names |= set(fields)
        model_admin = self.changelist_admin(key)
        if model_admin is not None:
            names |= admin_changelist_parameters(model_admin, self.user)
        names.discard("csrfmiddlewaretoken")
        for junk in JUNK if full else JUNK_LIGHT:
            self.send("get", url, label=f"every parameter={_short(junk)}", key=key, data=dict.fromkeys(names, junk))
        if not full:
            return
        # One at a time too: the first refused parameter may hide what the others would do.
        for name in sorted(names - {"next", "_popup", "_to_field"}):
            for junk in JUNK_EACH:
                self.send("get", url, label=f"?{name}={_short(junk)}", key=key, data={name: junk})
        for method, action, fields in forms:
            if method != "post":
                continue
            target = action if action.startswith("/") else url
            fields = [f for f in fields if f != "csrfmiddlewaretoken"]
            for junk in JUNK_FORM:
                data = dict.fromkeys(fields, junk)
                self.send("post", target, label=f"form {fields[:4]}={_short(junk)}", key=key, data=data)
                self.login()  # a form that logs in or out must not change the role for what follows

    def changelist_admin(self, key: str) -> admin.ModelAdmin | None:
        label, _space, view = key.partition(" ")
        if view != "changelist":
            return None
        return next((ma for m, ma in admin.site._registry.items() if m._meta.label_lower == label), None)


def _to_login(location: str) -> bool:
    return location.startswith((settings.LOGIN_URL, reverse("login"), reverse("admin:login")))


def _short(junk: Any) -> str:
    text = repr(junk)
    return text if len(text) < 30 else text[:20] + f"...({len(text)} chars)"


def fuzz_targets(world: World, role: str) -> Iterator[tuple[str, str, URLPattern, str]]:
    patterns = {prefix: pattern for prefix, _name, pattern in _walk(get_resolver().url_patterns)}
    for entry in entries():
        if entry.key in SKIPPED_NAMES or entry.key.startswith("unnamed pattern"):
            continue
        try:
            url = entry.url(world, role)
        except AssertionError:
            continue
        yield entry.key, entry.route, patterns[entry.route], url


@pytest.fixture(scope="module")
def fuzz_world(world, django_db_blocker):
    with django_db_blocker.unblock():
        world.users[SUPERUSER] = User.objects.create_superuser("fuzz_superuser", password="pw-for-tests-only")
    return world


def report(failures: dict[tuple[str, str, str], str]) -> str:
    return f"{len(failures)} server errors:\n" + "\n".join(
        f"{key:45} {label:45} {where}" for (key, label, _exc), where in sorted(failures.items())
    )


@pytest.mark.parametrize("role", FUZZ_ROLES)
def test_no_junk_input_makes_a_server_error(fuzz_world, role, settings):
    settings.LANGUAGE_CODE = "en"
    # The generic discovery sees the parameters of the issue's examples, so new ones are found the same way.
    assert "follow_up" in query_parameters_by_module()["services.escorts.views"]
    assert "q" in query_parameters_by_module()["services.visits.views"]
    assert "year" in query_parameters_by_module()["services.escorts.admin"]
    fuzzer = Fuzzer(fuzz_world, role)
    for key, route, pattern, url in fuzz_targets(fuzz_world, role):
        fuzzer.fuzz(key, route, pattern, url)
    assert not fuzzer.failures, f"{role}: " + report(fuzzer.failures)


# --- hypothesis on top: random text in a random parameter of a random page ------------------------------------


@hypothesis_settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_text_in_any_parameter_makes_no_server_error(fuzz_world, data):
    found = query_parameters_by_module()
    # The pages whose own code reads parameters: where a parser of our own meets the junk.
    targets = sorted(
        (key, url, view_module(pattern))
        for key, _route, pattern, url in fuzz_targets(fuzz_world, SUPERUSER)
        if found.get(view_module(pattern))
    )
    key, url, module = data.draw(st.sampled_from(targets))
    names = sorted(found[module] | {"page"})
    junk = st.one_of(
        st.sampled_from([j for j in JUNK if isinstance(j, str)] + ["²", "١٢", "-0", " 1"]),
        st.text(max_size=40),
        st.integers().map(str),
    )
    params = data.draw(st.dictionaries(st.sampled_from(names), junk, min_size=1))
    fuzzer = Fuzzer(fuzz_world, SUPERUSER)
    fuzzer.login()
    fuzzer.send("get", url + "?" + urlencode(params), label=str(params), key=key)
    assert not fuzzer.failures, report(fuzzer.failures)


# --- the issue's examples, each with the answer it gets now ----------------------------------------------------


def _issue_examples(world: World) -> list[tuple[str, str, str, dict, int]]:
    escort = reverse("field:escort", args=[world.person_a.pk])
    changelist = reverse("admin:services_accesslog_changelist")
    return [
        (ANON, "post", reverse("login"), {"username": "x" * 300, "password": "x"}, 200),
        (ANON, "post", reverse("admin:login"), {"username": "x" * 300, "password": "x"}, 200),
        (MEMBER_A, "get", escort + "?follow_up=abc", {}, 404),
        (MEMBER_A, "get", reverse("field:home") + "?q=%00", {}, 400),
        (VOLUNTEER, "get", "/volunteer/certificate/0/", {}, 404),
        (VOLUNTEER, "get", f"/volunteer/certificate/{HUGE}/", {}, 404),
        (STAFF, "get", reverse("admin:services_volunteer_hours") + "?year=-1", {}, 200),
        (AUDITOR, "get", changelist + "?at__year=9999", {}, 302),
        (AUDITOR, "get", changelist + "?at__year=" + HUGE, {}, 302),
        (AUDITOR, "get", reverse("admin:employment_enrollment_changelist") + "?year=" + HUGE, {}, 200),
        (ANON, "get", reverse("events:past") + "?year=²&page=²", {}, 400),
    ]


@pytest.mark.parametrize("index", range(11))
def test_the_issues_examples_get_a_clear_answer(fuzz_world, index, settings):
    settings.LANGUAGE_CODE = "en"
    role, method, url, data, status = _issue_examples(fuzz_world)[index]
    fuzzer = Fuzzer(fuzz_world, role)
    fuzzer.login()
    attempts = AccessAttempt.objects.count()
    response = getattr(fuzzer.client, method)(url, data)
    assert response.status_code == status, (url, response.status_code, response.exc_info)
    assert AccessAttempt.objects.count() == attempts  # an impossible user name is not an attempt
