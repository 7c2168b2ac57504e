"""WSGI entry point (gunicorn jingan_portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingan_portal.settings.production")
application = get_wsgi_application()
