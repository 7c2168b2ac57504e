"""Production settings: base plus transport security. SECRET_KEY and ALLOWED_HOSTS must be set."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# base lets DEBUG=true start with a throwaway key; production never does, whatever DEBUG says.
if not env.str("SECRET_KEY", default=""):
    raise ImproperlyConfigured("SECRET_KEY is not set. Production settings never run with a development key.")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Load balancers probe the web nodes over plain HTTP: a redirect would read as "down". Both health
# pages hold nothing personal, and the session cookie (Secure) never travels with such a probe.
SECURE_REDIRECT_EXEMPT = [r"^healthz(/ready)?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=True)
