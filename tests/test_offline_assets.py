"""Pages need nothing from the internet (issue 18 item 8): the API docs load Swagger UI from our static files, and
there is a favicon."""

import re

import pytest


@pytest.mark.django_db
def test_api_docs_use_local_swagger_assets(client_for):
    html = client_for("officer").get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    assert not [s for s in sources if s.startswith(("http://", "https://", "//"))]


@pytest.mark.django_db
def test_favicon(client_for):
    assert client_for("officer").get("/favicon.ico").status_code in (301, 302)
    assert 'rel="icon"' in client_for("officer").get("/").content.decode()
