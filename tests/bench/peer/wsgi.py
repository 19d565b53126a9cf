"""WSGI entry point of the peer project (gunicorn tests.bench.peer.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.peer.settings")
application = get_wsgi_application()
