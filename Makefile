# Two commands matter: `make run` (install and serve the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --quiet --disable-pip-version-check
MANAGE := $(PY) manage.py
export PIP_NO_WARN_SCRIPT_LOCATION := 1

.PHONY: install install-dev assets translations run demo-data worker beat test lint fmt migrations-check deploy-check clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# --no-compile: Python compiles a module when it is first imported; compiling every installed file up front
# (tests, unused modules of each package) took 16 s of CPU of the first run's install against 7 s without.
$(VENV)/.installed: requirements.txt $(PY)
	$(PIP) install --no-compile -r requirements.txt 2>&1 | grep -v "is ignored: it is neither" || true
	$(PY) -c "import django, celery, psycopg2" && touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install -r requirements-dev.txt 2>&1 | grep -v "is ignored: it is neither" || true
	$(PY) -c "import pytest, playwright, axe_playwright_python, importlinter, mypy_django_plugin" && touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Django's compilemessages needs GNU gettext's msgfmt; install it from Debian when it is missing. A catalogue
# is compiled again only when its .po is newer than its .mo.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
translations: $(MO_FILES)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | $(VENV)/.installed
	@command -v msgfmt >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null)
	cd $(CURDIR) && env -u DJANGO_SETTINGS_MODULE $(VENV)/bin/django-admin compilemessages --locale $* \
		--ignore=.venv --ignore=node_modules -v0

install: $(VENV)/.installed node_modules/.installed translations

install-dev: install $(VENV)/.installed-dev

assets: install
	$(MANAGE) collectstatic --noinput -v0

# What does not wait on each other runs side by side: npm and the translations beside the demo database,
# which needs only the Python packages (README, "Two commands": the first run's phases measured).
run:
	@$(MAKE) --no-print-directory -j3 install demo-data
	DEBUG=$${DEBUG:-true} $(MANAGE) runserver 127.0.0.1:8000

demo-data: $(VENV)/.installed
	DEBUG=$${DEBUG:-true} $(MANAGE) migrate --noinput -v0
	DEBUG=$${DEBUG:-true} $(MANAGE) seed_demo

# Beside `make run`, so development settings unless DJANGO_SETTINGS_MODULE says otherwise: the Celery
# app itself defaults to production (which needs SECRET_KEY), like wsgi.py and asgi.py.
# The Procfile's three workers, one per queue (default, notify, reports: CELERY_TASK_ROUTES), in one terminal.
worker: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-jingan_portal.settings.dev} PATH="$(CURDIR)/$(VENV)/bin:$$PATH" \
		$(VENV)/bin/honcho start worker worker-notify worker-reports

beat: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-jingan_portal.settings.dev} \
		$(VENV)/bin/celery -A jingan_portal beat --loglevel=INFO

# The suite on PYTEST_WORKERS pytest-xdist workers (auto: one per core; 0: one process), each with its own test
# database (test_<name>_gw0...). pyproject.toml's addopts add --dist loadgroup: the tests that share Redis, the
# demo year or another fixture set up once per module run on one worker (tests/conftest.py), and the summary
# says the groups held and the demo was seeded once.
# Workers by default: on 2 shared cores, tests/services and tests/reports (716 tests) took 358 s on two workers
# against 422 s in one process at a like load (README, "Two commands"). A transactional test's flush empties
# what the data migrations seeded; one process runs those tests last, a worker may run any test after one, so
# tests/conftest.py puts it back after every flush. `make test PYTEST_WORKERS=0` runs in one process.
PYTEST_WORKERS ?= auto
test: install-dev
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Style, then the import contracts and the types (both configured in pyproject.toml). mypy keeps its
# cache in .mypy_cache, so a second run takes seconds.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy .

fmt: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	DEBUG=true $(MANAGE) makemigrations --check --dry-run

deploy-check: install
	DJANGO_SETTINGS_MODULE=jingan_portal.settings.production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
		ALLOWED_HOSTS=portal.example NOTIFICATION_BACKEND=core.notify.HttpSmsNotifier \
		SMS_GATEWAY_URL=https://sms.portal.example/send $(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) node_modules staticfiles

.PHONY: backup restore load

# pg_dump (custom format) of DATABASE_URL's database, and a tar of MEDIA_ROOT, into BACKUP_DIR (./backups).
backup: install
	$(MANAGE) backup

# make restore BACKUP=backups/x.dump [TARGET_DATABASE_URL=postgres://...] [FORCE=1]
restore: install
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=path/to/file.dump [TARGET_DATABASE_URL=postgres://...] [FORCE=1]" && exit 2)
	$(MANAGE) restore "$(BACKUP)" $(if $(TARGET_DATABASE_URL),--target "$(TARGET_DATABASE_URL)") $(if $(filter 1 true yes,$(FORCE)),--force)

# The load check of issue #10 (bench/README.md): public pages and 20 committee members filing visits.
load: install-dev
	$(PY) bench/load.py

.PHONY: bench bench-check
BENCH_SIZES ?= 20000 200000
# Every benchmark of bench/ at each size of BENCH_SIZES, in one table (bench/run.py; PostgreSQL on
# 127.0.0.1 or DATABASE_URL's server, Redis REDIS_URL). Generates jingan_scale_<size> on the first run.
bench: install-dev
	BENCH_SIZES="$(BENCH_SIZES)" $(PY) bench/run.py

# Every benchmark once, briefly, at 3,000 persons (database jingan_scale_3k, generated on the first run):
# fails when one crashes or its references disagree (the report job against the hand-written statement,
# to the last breakdown), never on its timings. .ci/run runs it after the tests, so no benchmark breaks unseen.
bench-check: install-dev
	$(PY) bench/run.py --check --sizes 3000
