"""WSGI entry point (gunicorn zhifa.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
application = get_wsgi_application()
