"""The test processes list the static files once (``zhifa.testing._static_files_listed_once``), not for every
test client: a later WhiteNoise middleware serves the same files without asking the finders again."""

import pytest


@pytest.mark.engine_independent
def test_a_second_middleware_serves_the_same_files_without_listing_them_again(monkeypatch):
    from django.contrib.staticfiles import finders
    from whitenoise.middleware import WhiteNoiseMiddleware

    first = WhiteNoiseMiddleware(lambda request: None)
    asked = []
    get_finders = finders.get_finders
    monkeypatch.setattr(finders, "get_finders", lambda: asked.append(1) or get_finders())
    second = WhiteNoiseMiddleware(lambda request: None)
    assert asked == []
    assert second.files.keys() == first.files.keys()
    css = second.files["/static/core/zhifa.css"]
    assert css is first.files["/static/core/zhifa.css"]
    assert css.get_response("GET", {}).status == 200
