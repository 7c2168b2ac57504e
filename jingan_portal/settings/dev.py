"""Development settings, the default of manage.py: DEBUG on unless the environment says otherwise.

Production sets DJANGO_SETTINGS_MODULE=jingan_portal.settings.production (see README).
"""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403
