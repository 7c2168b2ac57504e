"""Security headers: the Content-Security-Policy, frame denial, referrer policy, and no-store on private pages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from services.models import User
from tests.events.factories import EventFactory
from tests.services.factories import make_volunteer

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def no_store(response) -> bool:
    cache_control = {v.strip() for v in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= cache_control


def test_every_page_has_a_policy_without_inline_script_or_style(client, staff_user):
    anonymous = csp_directives(client.get(reverse("home")))
    client.force_login(staff_user)
    admin = csp_directives(client.get(reverse("admin:index")))
    for directives in (anonymous, admin):
        assert directives["default-src"] == ["'self'"]
        assert directives["script-src"] == ["'self'"]
        assert directives["style-src"] == ["'self'"]
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["form-action"] == ["'self'"]
        assert directives["base-uri"] == ["'self'"]
        assert directives["img-src"] == ["'self'", "data:"]
        assert not any("'unsafe-inline'" in values or "'unsafe-eval'" in values for values in directives.values())


def test_the_only_inline_style_allowed_is_the_history_paginator_by_its_hash(client):
    import base64
    import hashlib

    allowed = csp_directives(client.get(reverse("home")))["style-src-attr"]
    digest = base64.b64encode(hashlib.sha256(b"border-top: 0").digest()).decode()
    assert allowed == ["'unsafe-hashes'", f"'sha256-{digest}'"]
    history_template = Path(__import__("simple_history").__file__).parent / "templates/simple_history"
    assert 'style="border-top: 0"' in (history_template / "object_history_list.html").read_text()


def test_our_templates_hold_no_inline_script_style_or_handler():
    import re

    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)|<style|\sstyle=|\son[a-z]+=", re.I)
    found = []
    for path in [*ROOT.joinpath("templates").rglob("*.html"), *ROOT.glob("*/templates/**/*.html")]:
        text = path.read_text()
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in inline.finditer(text)]
    assert found == []


def test_the_periodic_task_form_runs_its_script_from_a_file(client):
    admin = User.objects.create_superuser("root", password="pw")
    client.force_login(admin)
    html = client.get("/admin/django_celery_beat/periodictask/add/").content.decode()
    assert '<script id="periodic-task-overrides" src="/static/js/admin/periodic_task.js"' in html
    assert "const readableCrontabs" not in html


def test_frames_are_denied_and_referrers_stay_on_the_site(client):
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/login/", "/field/", "/volunteer/", "/reports/dashboard/", "/accounts/login/"],
)
def test_private_areas_are_never_stored_even_for_anonymous_visitors(client, path):
    response = client.get(path)
    assert no_store(response), (path, response.get("Cache-Control"))


def test_pages_for_each_role_are_never_stored(client, staff_user, auditor, member):
    volunteer = make_volunteer("escort_volunteer").user
    pages = {
        staff_user: [reverse("admin:index"), reverse("reports:dashboard_index")],
        auditor: [reverse("admin:index")],
        member: [reverse("field:home")],
        volunteer: [reverse("volunteer:home")],
    }
    for user, paths in pages.items():
        client.force_login(user)
        for path in paths:
            response = client.get(path, follow=True)
            assert response.status_code == 200, (user, path)
            assert no_store(response), (user, path, response.get("Cache-Control"))
        # Even a public page names the signed-in person in its header.
        assert no_store(client.get(reverse("home")))
        client.logout()


def test_public_pages_stay_cacheable_for_anonymous_visitors(client):
    event = EventFactory()
    for path in [reverse("home"), reverse("events:list"), reverse("events:detail", args=[event.slug])]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" not in response.get("Cache-Control", ""), path


def _settings_probe(module: str, **env: str) -> subprocess.CompletedProcess:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'csp': 'csp.middleware.CSPMiddleware' in settings.MIDDLEWARE, "
        "'script': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'], "
        "'otp': settings.OTP_REQUIRED_FOR_STAFF, 'staff_idle': settings.STAFF_SESSION_IDLE_SECONDS}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "OTP_REQUIRED_FOR_STAFF"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": module, "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "a.example", **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("module", "otp"),
    [
        ("jingan_portal.settings.dev", False),
        ("jingan_portal.settings.test", False),
        ("jingan_portal.settings.production", True),
    ],
)
def test_every_settings_module_has_the_policy_and_the_staff_idle_limit(module, otp):
    import json

    done = _settings_probe(module)
    assert done.returncode == 0, done.stderr
    probed = json.loads(done.stdout.strip().splitlines()[-1])
    assert probed == {"csp": True, "script": ["'self'"], "otp": otp, "staff_idle": 1800}


def test_production_two_factor_can_be_turned_off_by_the_environment_only_explicitly():
    import json

    done = _settings_probe("jingan_portal.settings.production", OTP_REQUIRED_FOR_STAFF="false")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1])["otp"] is False


def test_deploy_check_passes_with_production_settings():
    import secrets

    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="jingan_portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="a.example",
        NOTIFICATION_BACKEND="core.notify.HttpSmsNotifier",
        SMS_GATEWAY_URL="https://sms.a.example/send",
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
