"""Rate limits for public endpoints (complaints, remote handling, payment pages): a fixed window counter per
client address and scope in the Django cache (shared across processes when CACHE_URL points to Redis)."""

import time
from functools import wraps

from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render


def client_key(request) -> str:
    from .middleware import client_ip

    # Behind a proxy every request comes from the proxy: without TRUSTED_PROXIES all clients would share one bucket.
    return client_ip(request) or "unknown"


def hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request; True while the client is within ``limit`` requests per ``window`` seconds."""
    bucket = f"rl:{scope}:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 5):
        return True
    try:
        return cache.incr(bucket) <= limit
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window + 5)
        return True


def failures(scope: str, key: str) -> int:
    """Failures counted for ``key`` in the current lock window (sign-in, second factor)."""
    return int(cache.get(f"fail:{scope}:{key}") or 0)


def failure(scope: str, key: str, *, window: int) -> int:
    """Count one failure; the window starts with the first failure and the count expires with it."""
    bucket = f"fail:{scope}:{key}"
    if cache.add(bucket, 1, timeout=window):
        return 1
    try:
        return cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.add(bucket, 1, timeout=window)
        return 1


def forget(scope: str, key: str) -> None:
    cache.delete(f"fail:{scope}:{key}")


def rate_limited(scope: str, *, limit: int = 20, window: int = 60, methods: tuple[str, ...] = ("POST",)):
    """Decorator for a view: over the limit, answer 429 (JSON for API clients, a page for people)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods and not hit(scope, client_key(request), limit=limit, window=window):
                if request.path.startswith("/api/") or request.headers.get("Accept", "").startswith("application/json"):
                    return JsonResponse({"code": "rate_limited", "message": "请求过于频繁，请稍后再试。"}, status=429)
                return render(request, "core/rate_limited.html", status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
