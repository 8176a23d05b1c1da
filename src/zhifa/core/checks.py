"""Deployment checks (`manage.py check --deploy`) for what production cannot do without."""

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = ("LocMemCache", "DummyCache", "FileBasedCache")


@checks.register(checks.Tags.security, deploy=True)
def shared_cache_for_rate_limits(app_configs=None, **kwargs):
    """Rate limits, sign-in lockout and the second factor's lock count in the cache. A per-process cache gives every
    worker its own counters (four workers: four times the attempts) and forgets them on restart."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend.endswith(PER_PROCESS_CACHES):
        return [checks.Error(
            "The default cache is per process: rate limits and sign-in lockout are not shared between workers.",
            hint="Set CACHE_URL to a Redis URL (redis://host:6379/0), shared by every web process.",
            id="zhifa.E001")]
    return []
