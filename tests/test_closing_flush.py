"""The closing flush of a transactional test (``zhifa.testing._flush_by_delete``): it keeps the content types
and permissions and runs ``post_migrate`` only when a test changed them; the data migrations' rows it deletes
are loaded again where a test package needs them (``zhifa.testing.restore_default_rows``)."""

from types import SimpleNamespace

import pytest

from zhifa import testing


@pytest.mark.django_db(transaction=True)
def test_the_flush_runs_post_migrate_only_after_a_test_changed_the_kept_rows():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db.models.signals import post_migrate

    calls = []
    post_migrate.connect(lambda **kw: calls.append(kw["using"]), weak=False,
                         dispatch_uid="test-closing-flush")
    flusher = SimpleNamespace(available_apps=None, serialized_rollback=False,
                              _databases_names=lambda include_mirrors: ["default"])
    try:
        testing._flush_by_delete(flusher)  # the mark of this process is taken (post_migrate if it had none)
        permissions, types = Permission.objects.count(), ContentType.objects.count()
        calls.clear()
        testing._flush_by_delete(flusher)
        assert calls == []  # nothing changed: no post_migrate
        Permission.objects.filter(codename="view_case").delete()  # a test removed a permission
        testing._flush_by_delete(flusher)
        assert set(calls) == {"default"}  # sent once per app
        assert Permission.objects.filter(codename="view_case").exists()
        assert (Permission.objects.count(), ContentType.objects.count()) == (permissions, types)
        calls.clear()
        Permission.objects.create(codename="extra", name="extra", content_type=ContentType.objects.first())
        testing._flush_by_delete(flusher)  # a row added (its id above the mark's): post_migrate again
        assert set(calls) == {"default"}  # sent once per app
        calls.clear()
        Permission.objects.filter(codename="view_case").update(codename="view_cases")  # renamed in place
        testing._flush_by_delete(flusher)
        assert set(calls) == {"default"} and Permission.objects.filter(codename="view_case").exists()
    finally:
        post_migrate.disconnect(dispatch_uid="test-closing-flush")
        # The kept tables outlive the test (a reused database): leave them as the migrations made them.
        Permission.objects.filter(codename__in=("extra", "view_cases")).delete()
        testing._flush_by_delete(flusher)


@pytest.mark.django_db
def test_the_migrations_rows_are_loaded_again_only_where_a_flush_removed_them(monkeypatch):
    """``restore_default_rows``: the rows of a data migration are loaded again when its tables are empty (as a
    closing flush leaves them), and not otherwise."""
    from importlib import import_module

    from django.apps import apps

    permit_items = import_module("zhifa.permits.migrations.0002_permit_items")
    PermitItem = apps.get_model("permits", "PermitItem")
    testing.restore_default_rows("zhifa.permits.migrations.0002_permit_items")  # a reused, flushed database
    shipped = sorted(PermitItem.objects.values_list("code", "name", "statutory_days"))
    assert shipped
    loads = []
    load = permit_items.load
    monkeypatch.setattr(permit_items, "load", lambda *args: loads.append(1) or load(*args))
    testing.restore_default_rows("zhifa.permits.migrations.0002_permit_items")
    assert loads == []  # present: not loaded again
    PermitItem.objects.all().delete()  # as a closing flush leaves them
    testing.restore_default_rows("zhifa.permits.migrations.0002_permit_items")
    assert loads == [1]
    assert sorted(PermitItem.objects.values_list("code", "name", "statutory_days")) == shipped


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_a_flush_the_next_rolled_back_test_finds_the_migrated_rows_again(request):
    """``ZHIFA_TEST_TRANSACTIONAL_FIRST`` (the PostgreSQL run of scripts/test.sh runs the transactional
    tests first): the flush marks the database emptied, and ``_migrated_rows_back`` (before the next
    rolled-back test) puts back the data migrations' rows and the content types with their ids from the
    serialized copy. A ``serialized_rollback`` test, so that the copy is taken and restored before it
    whatever ran earlier."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from zhifa.discretion.models import ViolationItem
    from zhifa.permits.models import PermitItem

    def rows():
        return (sorted(ViolationItem.objects.values_list("code", flat=True)),
                sorted(PermitItem.objects.values_list("code", flat=True)),
                sorted(ContentType.objects.values_list("pk", "app_label", "model")),
                Permission.objects.count())

    migrated = rows()
    assert migrated[0] and migrated[1]
    flusher = SimpleNamespace(available_apps=None, serialized_rollback=False,
                              _databases_names=lambda include_mirrors: ["default"])
    testing._flush_by_delete(flusher)
    assert "default" in testing._EMPTIED
    assert not ViolationItem.objects.exists() and not PermitItem.objects.exists()
    testing._migrated_rows_back(request.node)
    assert rows() == migrated and not testing._EMPTIED
    PermitItem.objects.create(code="ZZ-1", name="新事项", basis="测试")  # the sequences are past the rows
