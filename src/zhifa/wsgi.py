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
# What is loaded now (modules, settings, the URLconf: ~220,000 objects) lives as long as the process.
# Moved out of the collector's generations, it is no longer scanned by every full collection, during
# which every thread of the worker waits: on the million-case database a full collection took 266 ms
# before and 36 ms after (medians of 3 runs at load 5, benchmarks/load/gc_pauses.py;
# docs/performance.md, "2026-12-06, 10:03–11:56 UTC"). Under ``--preload`` it also keeps the master's
# pages shared with the forked workers.
gc.collect()  # what the imports left behind is freed, not frozen for good
gc.freeze()
