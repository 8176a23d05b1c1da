"""Fixtures of the browser end-to-end tests: Playwright's sync API driving Debian's chromium against
pytest-django's live server (transactional database). Screenshots go to ``test-artifacts/e2e/``
(``screenshot``)."""

import base64
import os
import re
import shutil
from pathlib import Path

import pytest

from zhifa.testing import paired_with_sqlite

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse DB access there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("ZHIFA_E2E_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
PASSWORD = "pw-test-123!"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 15_000
# scripts/test.sh runs both databases at once: the screenshots (what a page looks like, whatever the engine)
# are taken by the SQLite run only, not written twice to the same files at once.
TAKE_SCREENSHOTS = not paired_with_sqlite()


def screenshot(target, path: Path, **kwargs) -> None:
    """``target.screenshot(path=…)`` (a page or a locator), unless this run takes no screenshots."""
    if TAKE_SCREENSHOTS:
        path.parent.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(path), **kwargs)


def pytest_collection_modifyitems(items):
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().parent == here:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser(_migration_snapshot):
    """One chromium per test process (xdist worker) while it runs this package's tests, which it gets one after
    the other; each user gets a fresh context (own cookies). Closed when the worker leaves the package: with
    ``ZHIFA_TEST_TRANSACTIONAL_FIRST`` the browser tests come early, and chromium, Playwright's driver and its
    event loop (marked running between calls) would otherwise stay up through every later test."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _e2e_settings(settings, tmp_path):
    """Evidence files in a private directory; rate-limit counters start empty (the live server shares the cache)."""
    from django.core.cache import cache

    settings.VAR_DIR = tmp_path
    settings.ZHIFA_PAYMENT_SIMULATOR = True
    cache.clear()
    yield
    cache.clear()


def field(scope, label: str):
    """A form control by its label; required fields' labels end in " *"."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}(\s*\*)?$"))


def fill(scope, fields: dict, checks=()):
    """Fill controls by label (a select takes the option's label; a file input a path), tick ``checks``."""
    for name, value in fields.items():
        control = field(scope, name)
        tag, kind = control.evaluate("e => [e.tagName, e.type]")
        if tag == "SELECT":
            control.select_option(label=value)
        elif kind == "file":
            control.set_input_files(value)
        else:
            control.fill(value)
    for name in checks:
        box = scope.get_by_label(re.compile(name) if isinstance(name, str) else name)
        box.check()


@pytest.fixture(scope="session")
def _migration_snapshot(django_db_setup, django_db_blocker):
    """The rows shipped by data migrations, as serialized when the test database was set up. Read before chromium
    starts: once Playwright's loop runs, ``django.db.connection`` may be a different object without the snapshot."""
    from django.db import connection

    snapshot = getattr(connection, "_test_serialized_contents", None)
    if snapshot and '"overload.screeningpolicy"' not in snapshot:
        snapshot = None  # serialized from a database an earlier run emptied
    yield snapshot
    # Leave a reused database as it was created, so the next run's snapshot has the rows again.
    if snapshot:
        with django_db_blocker.unblock():
            from zhifa.overload.models import ScreeningPolicy

            if not ScreeningPolicy.objects.exists():
                _restore(snapshot)


def _restore(snapshot: str) -> None:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    # A flush that ran post_migrate re-created content types and permissions under other keys: start from none.
    Permission.objects.all().delete()
    ContentType.objects.all().delete()
    ContentType.objects.clear_cache()
    connection.creation.deserialize_db_from_string(snapshot)


@pytest.fixture(autouse=True)
def _migration_rows(request, _migration_snapshot):
    """The live server needs committed data, so these tests are transactional and every test ends with a flush.
    Restore the rows shipped by data migrations (screening policies, rule versions, …) when they are missing."""
    request.getfixturevalue("transactional_db")
    from django.db import connection

    from zhifa.overload.models import ScreeningPolicy

    if _migration_snapshot:
        # Lets the closing flush skip post_migrate, as Django does for serialized rollbacks.
        connection._test_serialized_contents = _migration_snapshot
    if ScreeningPolicy.objects.exists():
        return
    if not _migration_snapshot:
        pytest.fail("the test database has lost the data migrations' rows (emptied by an earlier transactional run): "
                    "run once with --create-db")
    _restore(_migration_snapshot)


class Session:
    """One browser context (one person at one device) on the live server."""

    def __init__(self, browser, base_url: str, scenario: str, **context_kwargs):
        self.base_url = base_url
        self.scenario = scenario
        self.context = browser.new_context(base_url=base_url, locale="zh-CN", timezone_id="Asia/Shanghai", **context_kwargs)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        # One device pixel a CSS pixel, no touch: the page's shots are asked of chromium (``_capture``).
        self._plain = (context_kwargs.get("device_scale_factor", 1) == 1
                       and not context_kwargs.get("is_mobile") and not context_kwargs.get("has_touch"))
        self._cdp = None
        self.errors: list[str] = []
        self.page.on("response", self._on_response)

    def _on_response(self, response):
        if response.status >= 500:
            self.errors.append(f"{response.status} {response.request.method} {response.url}")

    def goto(self, path: str):
        response = self.page.goto(path)
        assert response is not None and response.status < 400, f"{path} → {response.status if response else 'no response'}"
        return response

    def login(self, username: str, password: str = PASSWORD):
        self.goto("/login/")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name="登录").click()
        assert "/login" not in self.page.url, f"login of {username} failed: {self.page.url}"
        return self

    def submit(self, button):
        """Click a submit button and wait for the page it leads to."""
        with self.page.expect_navigation():
            button.click()

    def shot(self, step: str, full_page: bool = True):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.scenario}-{step}")
        path = ARTIFACTS / f"{name}.png"
        if TAKE_SCREENSHOTS and self._plain:
            self._capture(path, full_page)
        else:
            screenshot(self.page, path, full_page=full_page)

    def _capture(self, path: Path, full_page: bool) -> None:
        """The PNG that ``page.screenshot(full_page=…)`` writes (the same pixels, checked at one device
        pixel a CSS pixel), asked of chromium with ``optimizeForSpeed``: its PNG encoder's fast setting, a
        file ~15 % larger for about a third of chromium's CPU on a long page (Playwright has no option for
        it). Unlike Playwright's, the caret of a focused field is not hidden. A context with another scale
        factor or touch (Playwright re-applies the touch emulation after a full-page capture) keeps
        Playwright's."""
        if self._cdp is None:
            self._cdp = self.context.new_cdp_session(self.page)
        self.page.evaluate("document.fonts.ready.then(() => null)")  # as Playwright waits before a screenshot
        params = {"format": "png", "optimizeForSpeed": True}
        if full_page:
            size = self._cdp.send("Page.getLayoutMetrics")["cssContentSize"]
            params |= {"captureBeyondViewport": True,
                       "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._cdp.send("Page.captureScreenshot", params)["data"]))

    def messages(self, kind: str) -> list[str]:
        return [t.strip() for t in self.page.locator(f".messages .msg.{kind}").all_inner_texts()]

    def act(self, label: str, fields: dict | None = None, checks: list[str] = ()):
        """Open the case page's action panel ``label``, fill ``fields`` (label → value; a select takes the option's
        label), tick the ``checks`` (labels of checkboxes), submit, and assert the page reports no error."""
        page = self.page
        name = re.compile(rf"^\s*{re.escape(label)}\s*$")
        panel = page.locator("details").filter(has=page.locator("summary", has_text=name))
        assert panel.count() == 1, f"action {label!r} not offered; offered: {page.locator('details > summary').all_inner_texts()}"
        panel.locator("summary").click()
        fill(panel, fields or {}, checks)
        invalid = panel.locator("form").evaluate(
            "f => [...f.elements].filter(e => e.willValidate && !e.checkValidity()).map(e => `${e.name}=${JSON.stringify(e.value)}: ${e.validationMessage}`)")
        assert not invalid, f"{label}: the browser refuses the form: {invalid}"
        with page.expect_navigation():
            panel.get_by_role("button", name=label, exact=True).click()
        errors = self.messages("error")
        assert not errors, f"{label}: {errors}"
        return self.messages("success")

    def close(self):
        self.context.close()


@pytest.fixture
def open_session(browser, live_server):
    """``open_session("scenario", viewport=…)`` → a ``Session``; all are closed after the test and none may have
    seen a server error."""
    sessions = []

    def make(scenario: str, **context_kwargs) -> Session:
        context_kwargs.setdefault("viewport", {"width": 1280, "height": 900})
        session = Session(browser, live_server.url, scenario, **context_kwargs)
        sessions.append(session)
        return session

    yield make
    errors = [e for s in sessions for e in s.errors]
    for s in sessions:
        s.close()
    assert not errors, f"server errors during the test: {errors}"
