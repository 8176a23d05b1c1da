import pytest

from zhifa.testing import restore_default_rows


@pytest.fixture(autouse=True)
def default_rules(request):
    """The publication rules and permit items come from data migrations; a transactional test anywhere in the
    suite flushes them, so they are loaded again where they are missing before each test that uses the
    database (``zhifa.testing.restore_default_rows``)."""
    if not ({"db", "transactional_db"} & set(request.fixturenames) or request.node.get_closest_marker("django_db")):
        return
    restore_default_rows("zhifa.portal.migrations.0002_rules", "zhifa.portal.migrations.0004_severity_rules",
                         "zhifa.permits.migrations.0002_permit_items",
                         "zhifa.credit.migrations.0002_default_rules")  # credit periods for 公示截止期
