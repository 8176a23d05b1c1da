"""Rate limits on public endpoints."""

from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory

from zhifa.core.ratelimit import rate_limited


def test_over_the_limit_is_429_and_get_is_not_counted():
    cache.clear()

    @rate_limited("test", limit=3, window=60)
    def view(request):
        return HttpResponse("ok")

    rf = RequestFactory()
    assert all(view(rf.get("/x")).status_code == 200 for _ in range(10))
    codes = [view(rf.post("/api/x", REMOTE_ADDR="10.0.0.1")).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert view(rf.post("/api/x", REMOTE_ADDR="10.0.0.2")).status_code == 200
