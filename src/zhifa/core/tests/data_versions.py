"""The ``data_versions`` fixture: the rows of ``core.DataVersion`` as the migrations make them.

A transactional test's closing flush (``zhifa.testing._flush_by_delete``) deletes every row, these too; the
data is then read at each use, which is right but not what a test of the kept data (or of a page's query
count) means to measure. Import the fixture into the test module
(``from zhifa.core.tests.data_versions import data_versions``) and use it by name."""

import uuid

import pytest

from zhifa.core import versions


@pytest.fixture
def data_versions(db):
    from zhifa.core.models import DataVersion

    for key in versions.KEYS:
        DataVersion.objects.get_or_create(key=key, defaults={"token": uuid.uuid4().hex})
