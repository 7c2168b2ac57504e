"""Portal settings, read from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from services.registry.retention_policy import DEFAULT_RETENTION_DAYS, checked_retention_days

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (or .env); "
            "only DEBUG=true runs with a throwaway development key."
        )
    SECRET_KEY = "development-only-not-a-secret"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core.admin_site.PortalAdminConfig",  # django.contrib.admin, every change form version-checked
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "django_celery_beat",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "services",
    "accessibility",
    "employment",
    "events",
    "reports",
    "exports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "accounts.middleware.PrivatePagesNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # After the language is chosen (its 400 is translated), before any view reads the query string.
    "core.input.RejectNulInQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SessionIdleMiddleware",
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jingan_portal.urls"
WSGI_APPLICATION = "jingan_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.display",
                "services.visits.context_processors.field_nav",
            ],
        },
    },
]

# Unset DATABASE_URL: the embedded SQLite file for a first run. postgres://...: PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A PostgreSQL streaming replica of the primary (README, "Past one machine"). The reads that may lag (the
# report job's counting, the dashboard, drill-downs, exports) go to it inside core.db.replica_reads(); all
# else, writes first, stays on the primary. A replica down, or more than REPLICA_MAX_LAG_SECONDS behind,
# is not read (a warning is logged); its state is checked at most every REPLICA_CHECK_SECONDS per process.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_MAX_LAG_SECONDS = env.int("REPLICA_MAX_LAG_SECONDS", default=30)
REPLICA_CHECK_SECONDS = env.int("REPLICA_CHECK_SECONDS", default=5)
if REPLICA_MAX_LAG_SECONDS < 0 or REPLICA_CHECK_SECONDS < 0:
    raise ImproperlyConfigured("REPLICA_MAX_LAG_SECONDS and REPLICA_CHECK_SECONDS cannot be negative.")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **env.db_url_config(DATABASE_REPLICA_URL),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # Tests run against the primary's test database under this alias too (Django never creates one here).
        "TEST": {"MIRROR": "default"},
    }
    # A replica host that does not answer must not hold a page for the system's TCP timeout.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    # The page after a save reads from the primary (core.db.PrimaryAfterWriteMiddleware), before any view reads.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.common.CommonMiddleware"), "core.db.PrimaryAfterWriteMiddleware"
    )
DATABASE_ROUTERS = ["core.db.ReplicaRouter"]

AUTH_USER_MODEL = "services.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# Bootstrap is the npm package installed by `make install` (package.json), served as our own static.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    # Workbox's browser builds for the field app's service worker (services/visits/views.service_worker).
    *(
        ("vendor/workbox", BASE_DIR / "node_modules" / f"workbox-{name}" / "build")
        for name in ("core", "routing", "strategies", "background-sync")
    ),
]
STORAGES = {
    # Uploads go through the storage API, so an object store can replace the disk.
    "default": {"BACKEND": env.str("DEFAULT_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Upload limits in bytes, one per kind of file; a refusal names the limit (core.uploads).
RETROFIT_PHOTO_MAX_BYTES = env.int("RETROFIT_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
EVENT_PHOTO_MAX_BYTES = env.int("EVENT_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
SPREADSHEET_IMPORT_MAX_BYTES = env.int("SPREADSHEET_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# What an .xlsx (a zip archive) may unpack to, checked before it is parsed: 20,000 rows of persons
# unpack to about 9 MB at a ratio near 10, so a full 5 MB upload stays under 50 MB.
SPREADSHEET_UNPACKED_MAX_BYTES = env.int("SPREADSHEET_UNPACKED_MAX_BYTES", default=50 * 1024 * 1024)

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The longest a public page (home, events) is served from the cache; any change to events refreshes
# it at once (events.caching). 0 turns the cache off.
EVENTS_PUBLIC_CACHE_SECONDS = env.int("EVENTS_PUBLIC_CACHE_SECONDS", default=300)

# Celery: with REDIS_URL unset, tasks run eagerly in the calling process (the embedded default).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# The version of the code deployed (e.g. its git commit), set by the deployment; stored with each annual report.
CODE_VERSION = env.str("CODE_VERSION", default="unknown")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 12 * 60
# Redis gives a message that was never acknowledged (acks_late: its whole worker died mid-task) to another
# worker this long after delivering it. A task still running or waiting for its countdown at that point
# would be delivered twice, so it must exceed the hard time limit plus the longest countdown (retries wait
# at most 2 minutes). It is the last resort: the report job comes back sooner through its lease (below).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=15 * 60)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT + 120:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must exceed CELERY_TASK_TIME_LIMIT plus 120 seconds.")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Three queues, each with its own workers (Procfile, `make worker`), so a long report or export never delays
# what a person is waiting for: "notify" carries reminders and notifications, "reports" the annual report
# jobs and exports (one at a time per worker), the default queue ("celery") the rest. An exact name wins
# over a pattern: the report runs' sweep and the expired exports' are short jobs and must not wait behind a long report.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "services.send_escort_reminders": {"queue": "notify"},
    "services.send_overdue_follow_up_digest": {"queue": "notify"},
    "events.resend_registration_links": {"queue": "notify"},
    "services.send_application_code": {"queue": "notify"},
    "services.send_application_message": {"queue": "notify"},
    "reports.requeue_dead_runs": {"queue": CELERY_TASK_DEFAULT_QUEUE},
    "exports.expire_export_jobs": {"queue": CELERY_TASK_DEFAULT_QUEUE},
    "reports.*": {"queue": "reports"},
    "exports.*": {"queue": "reports"},
}
# The annual report job holds a lease on its run: it renews `heartbeat_at` four times per
# REPORTS_STALE_AFTER_SECONDS while it counts. A run silent for longer has lost its worker (killed with its
# pool, the OOM killer, a lost machine) and the sweep below queues it again, every REPORTS_SWEEP_SECONDS;
# so a killed run completes on its own about two minutes after a worker answers. A run started
# REPORTS_MAX_ATTEMPTS times without finishing is marked failed instead (a job that kills its worker).
REPORTS_STALE_AFTER_SECONDS = env.int("REPORTS_STALE_AFTER_SECONDS", default=60)
REPORTS_SWEEP_SECONDS = env.int("REPORTS_SWEEP_SECONDS", default=60)
REPORTS_MAX_ATTEMPTS = env.int("REPORTS_MAX_ATTEMPTS", default=3)
# The open-data API (/api/v1/): requests per client address per minute (then 429), and how long browsers and
# proxies may keep an answer (Cache-Control max-age; the server's own cache is renewed when a report is frozen).
OPEN_DATA_REQUESTS_PER_MINUTE = env.int("OPEN_DATA_REQUESTS_PER_MINUTE", default=120)
OPEN_DATA_MAX_AGE_SECONDS = env.int("OPEN_DATA_MAX_AGE_SECONDS", default=300)
# Periodic jobs. Each sweep selects a window and keeps a marker, so a missed run catches up and a
# repeated run does nothing. django-celery-beat copies these into the database, where staff edit them.
CELERY_BEAT_SCHEDULE = {
    # Every morning at 08:00 Shanghai time, before staff start: overdue follow-ups from home visits.
    "overdue-follow-up-digest": {
        "task": "services.send_overdue_follow_up_digest",
        "schedule": crontab(hour=8, minute=0),
    },
    # Every day at 10:00: day-before reminders for escorts starting within 36 hours, each sent once.
    "escort-reminders": {
        "task": "services.send_escort_reminders",
        "schedule": crontab(hour=10, minute=0),
    },
    # Every night at 04:00: delete sessions past their expiry (idle or logged-out ones never come back).
    "expired-sessions": {
        "task": "accounts.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=0),
    },
    # Every night at 03:30: delete access-log, audit and history rows older than AUDIT_RETENTION_DAYS.
    "audit-trail-purge": {
        "task": "services.purge_audit_trails",
        "schedule": crontab(hour=3, minute=30),
    },
    # Every night at 03:45: delete online applications' identity checks a day past their expiry.
    "application-challenges-purge": {
        "task": "services.purge_application_challenges",
        "schedule": crontab(hour=3, minute=45),
    },
    # Every REPORTS_SWEEP_SECONDS (a minute): report runs whose worker died are queued again. A sweep
    # not delivered within its own interval (no worker up) expires: the next one does the same.
    "annual-report-heal": {
        "task": "reports.requeue_dead_runs",
        "schedule": float(REPORTS_SWEEP_SECONDS),
        "options": {"expire_seconds": REPORTS_SWEEP_SECONDS},
    },
    # Every hour at :15: delete the files of export jobs past EXPORTS_KEEP_HOURS (a missed hour catches up).
    "export-jobs-expire": {
        "task": "exports.expire_export_jobs",
        "schedule": crontab(minute=15),
    },
}

# Exports: up to EXPORTS_IMMEDIATE_MAX_ROWS rows the file is sent at once; more run as a Celery job whose
# file waits in EXPORTS_ROOT (outside MEDIA_ROOT: only its owner's download view serves it) for
# EXPORTS_KEEP_HOURS. Every export streams its rows, so memory does not grow with either.
EXPORTS_IMMEDIATE_MAX_ROWS = env.int("EXPORTS_IMMEDIATE_MAX_ROWS", default=10_000)
EXPORTS_KEEP_HOURS = env.int("EXPORTS_KEEP_HOURS", default=24)
EXPORTS_ROOT = env.path("EXPORTS_ROOT", default=BASE_DIR / "var" / "exports")

# How long access logs, audit entries and change history are kept (days). Never below six months
# (services.registry.retention_policy): a shorter value stops the portal here, and the purge refuses it again.
AUDIT_RETENTION_DAYS = checked_retention_days(env.int("AUDIT_RETENTION_DAYS", default=DEFAULT_RETENTION_DAYS))

# Counting rules of the annual report that are policy choices; the report page shows both with their value.
# The oldest age at which a woman counts as of working age in the `trained` figure (就业年龄段). Default 59:
# the national statistics' working-age population is 16 to 59 for women and men alike (国家统计局,
# 国民经济和社会发展统计公报: 16至59周岁劳动年龄人口); 54 counts women as the former retirement age of 55 did.
WORKING_AGE_WOMEN_OLDEST = env.int("WORKING_AGE_WOMEN_OLDEST", default=59)
if not 16 <= WORKING_AGE_WOMEN_OLDEST <= 59:
    raise ImproperlyConfigured("WORKING_AGE_WOMEN_OLDEST must be between 16 and 59.")
# How many days a recommended placement must have lasted for `placed` to count it. Default 0: the national
# statistics count a person as employed once they work for pay (国家统计局 劳动力调查: at least one hour
# in the reference week), with no minimum duration.
PLACEMENT_MIN_DAYS = env.int("PLACEMENT_MIN_DAYS", default=0)
if PLACEMENT_MIN_DAYS < 0:
    raise ImproperlyConfigured("PLACEMENT_MIN_DAYS cannot be negative.")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Reminders, one-time codes and status links: the console (the log) by default; in production
# core.notify.HttpSmsNotifier (the SMS gateway below) or core.notify.EmailNotifier. `check --deploy`
# warns while production would only write them to the log.
NOTIFICATION_BACKEND = env.str("NOTIFICATION_BACKEND", default="core.notify.ConsoleNotifier")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
# The signature the operators require at the head of every text, e.g. 静安区残联.
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)

# Online applications (services.applications): the one-time code's life and tries, the limits of the public
# form (per client address and per ID number, in a 10-minute window), the working days (Monday to Friday) until
# the street's follow-up is due and after which an open application is in the overdue digest, how long a closed
# application's status link still opens, the federation's phone shown on its status page ("" shows the street
# committee instead), and the sign-language video of the form (a static path of a video and its captions).
APPLICATION_CODE_MINUTES = env.int("APPLICATION_CODE_MINUTES", default=10)
APPLICATION_CODE_TRIES = env.int("APPLICATION_CODE_TRIES", default=5)
APPLICATION_STARTS_PER_ADDRESS = env.int("APPLICATION_STARTS_PER_ADDRESS", default=10)
APPLICATION_STARTS_PER_NUMBER = env.int("APPLICATION_STARTS_PER_NUMBER", default=3)
# And per ID number in a day: each start texts a code to the phone on file.
APPLICATION_STARTS_PER_NUMBER_PER_DAY = env.int("APPLICATION_STARTS_PER_NUMBER_PER_DAY", default=6)
APPLICATION_CODES_PER_ADDRESS = env.int("APPLICATION_CODES_PER_ADDRESS", default=20)
APPLICATION_DUE_WORKING_DAYS = env.int("APPLICATION_DUE_WORKING_DAYS", default=5)
APPLICATION_OVERDUE_WORKING_DAYS = env.int("APPLICATION_OVERDUE_WORKING_DAYS", default=10)
APPLICATION_LINK_DAYS_AFTER_CLOSE = env.int("APPLICATION_LINK_DAYS_AFTER_CLOSE", default=90)
FEDERATION_PHONE = env.str("FEDERATION_PHONE", default="")
APPLICATION_SIGN_VIDEO = env.str("APPLICATION_SIGN_VIDEO", default="")
APPLICATION_SIGN_VIDEO_CAPTIONS = env.str("APPLICATION_SIGN_VIDEO_CAPTIONS", default="")
for _name in ("APPLICATION_CODE_MINUTES", "APPLICATION_CODE_TRIES", "APPLICATION_DUE_WORKING_DAYS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1.")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp), in every environment so a violation shows during development:
# our own scripts and styles only, never inline ones. The one inline style attribute left is
# django-simple-history's history page paginator, allowed by its hash alone.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # The hash of "border-top: 0"; 'unsafe-hashes' lets a hash allow a style attribute.
        "style-src-attr": ["'unsafe-hashes'", "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Sessions: Django's database sessions with their user recorded (accounts.UserSession), so that
# disabling an account or changing its roles ends all its sessions at once.
SESSION_ENGINE = "accounts.sessions"
# Idle limits: staff and auditors see the whole registry (30 minutes); committee members and
# volunteers work on phones between home visits (8 hours).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
FIELD_SESSION_IDLE_SECONDS = env.int("FIELD_SESSION_IDLE_SECONDS", default=8 * 3600)
# How often the last activity is written to the session (at most this early an idle logout comes).
SESSION_ACTIVITY_RESOLUTION_SECONDS = 60
SESSION_COOKIE_AGE = FIELD_SESSION_IDLE_SECONDS

# Issue #20: Argon2id first (accounts/hashers.py: 24 ms of CPU a log-in instead of PBKDF2's 331 ms); the older hashers
# stay so that every existing password still verifies, and is rehashed with Argon2id at its next log-in. Needs
# argon2-cffi (requirements.txt); accounts.checks refuses to start without it.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# Login throttling (django-axes): 5 failures for one user name from one address pause that pair, so
# nobody can lock a colleague out by typing wrong passwords from elsewhere; 20 failures from one address
# over any user names (password spraying) pause that address. Both cool off after 15 minutes.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURE_LIMIT = 5
LOGIN_ADDRESS_FAILURE_LIMIT = 20
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
AXES_VERBOSE = False  # no banner on every process start; lockouts are still logged
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
# Reverse proxies in front of the portal that append to X-Forwarded-For; 0 trusts no such header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Two-factor log-in (django-otp, TOTP with recovery codes) for staff and auditors; production turns it on.
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=False)
OTP_TOTP_ISSUER = "Jingan CDPF"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Request lines and "Not Found: <path>" carry query strings and paths: no ID or certificate
    # number is written whole (services.registry.identity.redact_numbers).
    "filters": {"redact_numbers": {"()": "services.registry.identity.RedactNumbersFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_numbers"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # django-axes logs every successful log-in at INFO (they are in its access log table already);
    # failures and lock-outs are warnings and still show.
    "loggers": {
        "axes": {"level": "WARNING"},
        # runserver's request lines, through the filtering handler instead of Django's own.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
