"""The load check of issue #10: public pages under 50 clients, then 20 committee members filing visits at once.

    .venv/bin/python bench/load.py [--seconds 60] [--public-clients 50] [--members 20]

- PostgreSQL database `jingan_load` (DATABASE_URL to change it), created when missing, migrated and
  filled once with the demo (`seed_demo`); later runs reuse it. 20 committee members `load_member_01`
  ... `load_member_20` are made (or reused), each on one street that has active persons.
- gunicorn serves the portal as in production but over plain HTTP: 2 workers, `--no-control-socket`,
  bound to 127.0.0.1 only on the first free port of 8200-8249, DEBUG off, collected static files,
  Redis db 5 as cache.
- Phase 1: `--public-clients` locust users request /, /events/, an event page and /events/feed.ics
  without pause for `--seconds`: zero errors expected.
- Phase 1b: the same public load with as many liveness probes beside it (`/healthz` without pause):
  every probe must answer 200 (no 503, no error); prints the answers by status.
- Phase 2: `--members` locust users log in through the login form, then for `--seconds` open a
  person's visit form (GET), and post it with its CSRF token and submission key; every fifth visit is
  posted twice, as a double tap would. Afterwards the HomeVisit rows are counted: every successful
  POST stored exactly once, no other row made.
- Prints requests/s, p95 latency and the error count of each phase and the stored/expected visits;
  exits 1 on any error or mismatch.
"""

# locust patches the standard library for gevent on import: it must come first.
from locust import FastHttpUser, HttpUser, constant, events, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import collections
import json
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import gevent

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from bench.common import manage  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/jingan_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/5"
PORTS = (8200, 8249)  # not the range of bench/run.py (8100-8149), so both can run at once
PASSWORD = "load-check-not-a-secret"
MEMBER_PREFIX = "load_member_"

SETUP = """
import json
from django.contrib.auth.models import Group
from django.db.models import Count, Q
from events.models import Event
from django.utils import timezone
from services.registry import roles
from services.models import Person, Street, StreetAssignment, User

streets = list(
    Street.objects.annotate(active=Count("persons", filter=Q(persons__status="active")))
    .filter(active__gt=0).order_by("-active", "code")
)
group = Group.objects.get(name=roles.COMMITTEE_MEMBER)
members = {{}}
for n in range(1, {members} + 1):
    user, _ = User.objects.get_or_create(username={prefix!r} + "%02d" % n)
    user.set_password({password!r})
    user.is_active = True
    user.save()
    user.groups.add(group)
    street = streets[(n - 1) % len(streets)]
    StreetAssignment.objects.filter(user=user).exclude(street=street).delete()
    StreetAssignment.objects.get_or_create(user=user, street=street)
    members[user.username] = list(
        Person.objects.filter(street=street, status="active").order_by("id").values_list("id", flat=True)[:200]
    )
event = Event.objects.filter(is_published=True, starts_at__gte=timezone.now()).order_by("starts_at").first()
event = event or Event.objects.filter(is_published=True).order_by("-starts_at").first()
print("SETUP " + json.dumps({{"members": members, "event": event.slug, "persons": Person.objects.count()}}))
"""

COUNT = """
import json
from services.models import HomeVisit
keys = json.load(open({path!r}))
by_members = HomeVisit.objects.filter(visitor__username__startswith={prefix!r}, created_at__gte={since!r})
print("COUNT " + json.dumps({{
    "stored": HomeVisit.objects.filter(submission_key__in=keys).count(),
    "by_members": by_members.count(),
    "distinct_keys": by_members.values("submission_key").distinct().count(),
}}))
"""

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
VISITED_ON = re.compile(r'name="visited_on" value="([^"]+)"')


def shell_json(env: dict[str, str], code: str, marker: str) -> dict:
    out = manage(env, "shell", "-v0", "-c", code)
    line = next(line for line in out.splitlines() if line.startswith(marker + " "))
    return json.loads(line[len(marker) + 1 :])


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


class PublicVisitor(FastHttpUser):
    """Someone reading the public pages, without pause."""

    wait_time = constant(0)
    event_slug = ""

    @task(3)
    def home(self):
        self.client.get("/")

    @task(3)
    def event_list(self):
        self.client.get("/events/")

    @task(3)
    def event_page(self):
        self.client.get(f"/events/{self.event_slug}/", name="/events/[slug]/")

    @task(1)
    def feed(self):
        self.client.get("/events/feed.ics")


class LivenessProbe(FastHttpUser):
    """A load balancer's liveness probe at the public pages' concurrency, without pause: 200 or a failure."""

    wait_time = constant(0)
    answers: collections.Counter[int] = collections.Counter()

    @task
    def healthz(self):
        with self.client.get("/healthz", catch_response=True) as response:
            LivenessProbe.answers[response.status_code] += 1
            if response.status_code != 200:
                response.failure(f"/healthz answered {response.status_code}")


class CommitteeMember(HttpUser):
    """A committee member filing visits to the people of their street through the real form."""

    wait_time = constant(0)
    accounts: list[tuple[str, list[int]]] = []
    filed: list[str] = []
    double_taps = 0

    def on_start(self):
        self.username, self.persons = CommitteeMember.accounts.pop()
        self.client.get("/accounts/login/", name="login GET")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            name="login POST",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} answered {response.status_code}")

    @task
    def file_visit(self):
        pk = random.choice(self.persons)
        page = self.client.get(f"/field/persons/{pk}/visit/", name="visit form GET")
        token, key, day = TOKEN.search(page.text), SUBMISSION_KEY.search(page.text), VISITED_ON.search(page.text)
        if not (page.status_code == 200 and token and key and day):
            return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "submission_key": key.group(1),
            "visited_on": day.group(1),
            "mode": "home",
            "purpose": "routine",
            "findings": "load check",
        }
        taps = 2 if random.random() < 0.2 else 1
        for tap in range(taps):
            with self.client.post(
                f"/field/persons/{pk}/visit/",
                data,
                allow_redirects=False,
                name="visit form POST" if tap == 0 else "visit form POST again",
                catch_response=True,
            ) as response:
                if response.status_code == 302 and f"/field/persons/{pk}/" in response.headers.get("Location", ""):
                    if tap == 0:
                        CommitteeMember.filed.append(key.group(1))
                    else:
                        CommitteeMember.double_taps += 1
                else:
                    response.failure(f"visit POST answered {response.status_code}")


def run(user_classes: list, clients: int, seconds: int, host: str) -> dict:
    # stop_timeout: at the end each user finishes the task in hand, so no request is cut off after the
    # server stored its visit but before the client saw the answer. Several classes share the clients equally.
    env = Environment(user_classes=user_classes, host=host, events=events, stop_timeout=60)
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(clients, spawn_rate=clients)
    gevent.sleep(seconds)
    runner.stop()
    elapsed = time.monotonic() - started
    runner.quit()
    total = env.stats.total
    errors = total.num_failures + sum(e["count"] for e in runner.exceptions.values())
    for error in list(env.stats.errors.values())[:5]:
        print(f"  error: {error.method} {error.name}: {error.error} ({error.occurrences}x)")
    return {
        "requests": total.num_requests,
        "rps": total.num_requests / elapsed,
        "p95_ms": total.get_response_time_percentile(0.95) or 0,
        "errors": errors,
        "rows": [
            (name, entry.num_requests, entry.get_response_time_percentile(0.95) or 0, entry.num_failures)
            for (name, _method), entry in sorted(env.stats.entries.items())
        ],
    }


def report(title: str, result: dict) -> None:
    print(f"\n{title}")
    print(f"  {'request':<28} {'count':>8} {'p95 ms':>8} {'errors':>7}")
    for name, count, p95, failures in result["rows"]:
        print(f"  {name:<28} {count:>8} {p95:>8.0f} {failures:>7}")
    print(
        f"  total: {result['requests']} requests, {result['rps']:.1f} requests/s, "
        f"p95 {result['p95_ms']:.0f} ms, {result['errors']} errors"
    )


def main() -> int:
    from bench.common import ensure_database, free_port, stop

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--public-clients", type=int, default=50)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    database = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    ensure_database(database)
    tmp = tempfile.mkdtemp(prefix="jingan-load-")
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("LOAD_REDIS_URL", DEFAULT_REDIS),
        "DJANGO_SETTINGS_MODULE": "jingan_portal.settings.base",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": f"{tmp}/static",
        "MPLCONFIGDIR": f"{tmp}/mpl",
        "LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--noinput", "-v0")
    if "True" not in manage(
        env, "shell", "-v0", "-c", "from services.models import Person; print(Person.objects.exists())"
    ):
        print("seeding the demo (first run only)...")
        manage({**env, "DEBUG": "true"}, "seed_demo")
    setup = shell_json(env, SETUP.format(members=args.members, prefix=MEMBER_PREFIX, password=PASSWORD), marker="SETUP")
    manage(env, "collectstatic", "--noinput", "-v0")
    since = manage(
        env, "shell", "-v0", "-c", "from django.utils import timezone; print(timezone.now().isoformat())"
    ).strip()

    port = free_port(*PORTS)
    host = f"http://127.0.0.1:{port}"
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "jingan_portal.wsgi:application", "--workers", str(args.workers)]
    command += ["--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_for(f"{host}/events/", server)
        print(f"load check: gunicorn {args.workers} workers on {host}, {setup['persons']} persons, {database}")
        print(f"machine load before: {os.getloadavg()[0]:.2f}")

        PublicVisitor.event_slug = setup["event"]
        public = run([PublicVisitor], args.public_clients, args.seconds, host)
        report(f"public pages, {args.public_clients} clients, {args.seconds} s", public)

        # The same public load, with as many liveness probes beside it: every probe must answer 200.
        under_load = run([PublicVisitor, LivenessProbe], 2 * args.public_clients, args.seconds, host)
        report(
            f"/healthz under load: {args.public_clients} probes beside {args.public_clients} public clients, "
            f"{args.seconds} s",
            under_load,
        )
        probes = LivenessProbe.answers
        print(f"  /healthz answers by status: {dict(sorted(probes.items()))} ({probes[503]} of them 503)")

        CommitteeMember.accounts = [(name, ids) for name, ids in setup["members"].items() if ids]
        members = run([CommitteeMember], min(args.members, len(CommitteeMember.accounts)), args.seconds, host)
        report(f"committee members filing visits, {args.members} at once, {args.seconds} s", members)
    finally:
        stop(server)

    keys_file = Path(tmp) / "keys.json"
    keys_file.write_text(json.dumps(CommitteeMember.filed))
    counted = shell_json(env, COUNT.format(path=str(keys_file), prefix=MEMBER_PREFIX, since=since), marker="COUNT")
    expected = len(CommitteeMember.filed)
    print(
        f"  visits: {expected} successful POSTs (+{CommitteeMember.double_taps} repeated), "
        f"{counted['stored']} stored, {counted['by_members']} rows by the members in all, "
        f"{counted['distinct_keys']} distinct submission keys"
    )
    ok = (
        public["errors"] == 0
        and under_load["errors"] == 0
        and LivenessProbe.answers[200] > 0
        and set(LivenessProbe.answers) == {200}
        and members["errors"] == 0
        and expected > 0
        and counted["stored"] == expected
        and counted["by_members"] == expected
        and counted["distinct_keys"] == expected
        and len(set(CommitteeMember.filed)) == expected
    )
    print(f"\nresult: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
