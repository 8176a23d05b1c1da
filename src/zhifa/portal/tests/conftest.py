import pytest


@pytest.fixture(autouse=True)
def default_rules(request):
    """The publication rules and permit items come from data migrations; a transactional test anywhere in the
    suite flushes them, so load them again (idempotently) before each test that uses the database."""
    if not ({"db", "transactional_db"} & set(request.fixturenames) or request.node.get_closest_marker("django_db")):
        return
    from importlib import import_module

    from django.apps import apps

    for module in ("zhifa.portal.migrations.0002_rules", "zhifa.portal.migrations.0004_severity_rules", "zhifa.permits.migrations.0002_permit_items"):
        import_module(module).load(apps, None)
    import_module("zhifa.credit.migrations.0002_default_rules").forwards(apps, None)  # credit periods for 公示截止期
