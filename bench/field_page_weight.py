"""Bytes a phone downloads to open the home-visit form, served as in production.

Runs gunicorn with production-like settings (DEBUG off, WhiteNoise serving the collected, compressed
static files) on 127.0.0.1 against a throwaway SQLite database, logs in as a committee member in
headless Chromium at 375x812, opens the visit form and adds up the bytes of every response (headers
and encoded bodies, as transferred). Prints each request, the total, and whether any request left
the portal's own host. Target: under 150 KB.

    .venv/bin/python bench/field_page_weight.py
"""

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.common import manage  # noqa: E402

TARGET_BYTES = 150 * 1024
PASSWORD = "bench-member-password-2026"


def prepare(env: dict[str, str]) -> int:
    """Migrate and make one committee member and one person; return the person's id."""
    manage(env, "migrate", "--noinput", "-v0")
    script = f"""
from django.contrib.auth.models import Group
from services.models import Street, StreetAssignment, User, Person
from services.registry.sample import sample_persons
street = Street.objects.get(code="310106006")
user = User.objects.create_user("bench_member", password="{PASSWORD}")
user.groups.add(Group.objects.get(name="committee_member"))
StreetAssignment.objects.create(user=user, street=street)
person = next(sample_persons(1, street_ids=[street.pk], seed=5))
person.status, person.status_changed_on = "active", None
person.save()
print(person.pk)
"""
    return int(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def measure(base_url: str, person_id: int) -> list[tuple[str, int]]:
    """Log in and open the visit form in Chromium; return (url, bytes transferred) for the form page's load."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 375, "height": 812})
        page = context.new_page()
        page.goto(f"{base_url}/accounts/login/")
        page.fill("#id_username", "bench_member")
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit].btn-primary")
        # A first visit with an empty cache: what a member's phone downloads the first time.
        fresh = browser.new_context(viewport={"width": 375, "height": 812}, storage_state=context.storage_state())
        form_page = fresh.new_page()
        requests = []
        form_page.on("requestfinished", lambda request: requests.append(request))
        form_page.goto(f"{base_url}/field/persons/{person_id}/visit/")
        form_page.wait_for_load_state("networkidle")
        sizes = []
        for request in requests:
            size = request.sizes()
            sizes.append((request.url, size["responseHeadersSize"] + size["responseBodySize"]))
        browser.close()
    return sizes


def weigh_login_page(base_url: str) -> list[tuple[str, int]]:
    """(url, bytes transferred) of a first load of the login page: the same layout, no form of ours."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
        requests = []
        page.on("requestfinished", lambda request: requests.append(request))
        page.goto(f"{base_url}/accounts/login/")
        page.wait_for_load_state("networkidle")
        sizes = [(r.url, r.sizes()["responseHeadersSize"] + r.sizes()["responseBodySize"]) for r in requests]
        browser.close()
    return sizes


@contextlib.contextmanager
def served() -> Iterator[tuple[str, int]]:
    """gunicorn on a throwaway SQLite database with one member and one person; yields (base URL, person id)."""
    from bench.common import collect_static, free_port, start_gunicorn, stop

    with tempfile.TemporaryDirectory(prefix="page-weight-") as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.base",
            "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 30,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
            "XDG_CONFIG_HOME": tmp,
            "XDG_CACHE_HOME": tmp,
        }
        env.pop("REDIS_URL", None)
        collect_static(env, tmp)
        person_id = prepare(env)
        port = free_port()
        server = start_gunicorn(env, port, 1, "/accounts/login/")
        try:
            yield f"http://127.0.0.1:{port}", person_id
        finally:
            stop(server)


def measures() -> list:
    """For bench/run.py: the visit form's first load on a phone, against the login page's."""
    from bench.common import Measure

    with served() as (base_url, person_id):
        sizes = measure(base_url, person_id)
        login = weigh_login_page(base_url)
    total, reference = sum(n for _url, n in sizes), sum(n for _url, n in login)
    elsewhere = [url for url, _size in sizes if not url.startswith((base_url, "data:"))]
    return [
        Measure(
            "home-visit form, first load on a phone (Chromium 375 px)",
            "-",
            f"{total / 1024:.1f} KB in {len(sizes)} requests"
            + (f", {len(elsewhere)} to other hosts" if elsewhere else ""),
            f"login page: {reference / 1024:.1f} KB",
            total / reference,
            ok=total < TARGET_BYTES and not elsewhere,
            holds=not elsewhere,
            target=f"< {TARGET_BYTES // 1024} KB",
        )
    ]


def main() -> int:
    with served() as (base_url, person_id):
        sizes = measure(base_url, person_id)
    total = sum(size for _url, size in sizes)
    elsewhere = [url for url, _size in sizes if not url.startswith((base_url, "data:"))]
    print(f"{'request':<70} {'bytes':>9}")
    for url, size in sizes:
        print(f"{url.replace(base_url, ''):<70} {size:>9,}")
    print(f"{'total transferred':<70} {total:>9,}")
    print()
    print(
        f"visit form page weight: {total / 1024:.1f} KB (target < {TARGET_BYTES // 1024} KB): "
        f"{'ok' if total < TARGET_BYTES else 'MISSED'}"
    )
    print(f"requests to other hosts: {len(elsewhere)} {elsewhere if elsewhere else ''}")
    return 0 if total < TARGET_BYTES and not elsewhere else 1


if __name__ == "__main__":
    sys.exit(main())
