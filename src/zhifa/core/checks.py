"""Deployment checks (`manage.py check --deploy`) for what production cannot do without."""

from urllib.parse import urlsplit

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


@checks.register(checks.Tags.security, deploy=True)
def signed_https_integrations(app_configs=None, **kwargs):
    """Every configured receiver (INTEGRATION_<TARGET>_URL) must be reached over https and get signed messages
    (INTEGRATION_<TARGET>_SECRET): without a secret the client posts unsigned and the receiver cannot tell our
    case reports from anyone's; over http the party data travels in clear."""
    errors = []
    for target, endpoint in settings.INTEGRATION_ENDPOINTS.items():
        url = endpoint.get("url") or ""
        if not url:
            continue
        name = f"INTEGRATION_{target.upper()}"
        if not endpoint.get("secret"):
            errors.append(checks.Error(
                f"{name}_URL is set but {name}_SECRET is empty: messages to {target} would be sent unsigned.",
                hint=f"Set {name}_SECRET (or {name}_SECRET_FILE) to the key agreed with the receiver.", id="zhifa.E002"))
        if urlsplit(url).scheme != "https":
            errors.append(checks.Error(
                f"{name}_URL is not https: case and party data would travel unencrypted.",
                hint=f"Use the receiver's https:// address in {name}_URL.", id="zhifa.E003"))
    return errors
