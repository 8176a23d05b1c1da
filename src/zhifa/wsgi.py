"""WSGI entry point (gunicorn zhifa.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
application = get_wsgi_application()
# Load the URLconf (every view and API module, ~1 CPU-s) now, not at a worker's first request: under
# ``gunicorn --preload`` the master loads it once and every worker forked from it (after a restart too)
# shares it; without ``--preload`` a (re)started worker's first request no longer waits for it. It opens no
# database connection (none must be inherited by the forked workers).
get_resolver().url_patterns  # noqa: B018 (the property loads the patterns)
# What is loaded now (modules, settings, the URLconf: ~250,000 objects) lives as long as the process.
# Moved out of the collector's generations, it is no longer scanned by every full collection, during which
# every thread of the worker waits: on the million-case database a full collection of a worker took 381 ms
# before and 21–23 ms after (benchmarks/load/gc_pauses.py, docs/performance.md). Under ``--preload`` it
# also keeps the master's pages shared with the forked workers (the collector no longer writes to them).
gc.freeze()
