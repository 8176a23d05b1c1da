"""The layering has one statement: settings.ZHIFA_APPS in dependency order, which the import-linter contract
in
pyproject.toml checks (``lint-imports``, run by scripts/test.sh). These tests keep the two lists the same, so
neither can drift from the other, and keep the order of the work a permutation of the apps."""

import tomllib
from pathlib import Path

from django.conf import settings

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def _contract(contract_id: str) -> dict:
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["id"] == contract_id)


def test_contract_layers_are_zhifa_apps_top_first():
    layers = _contract("apps-in-dependency-order")["layers"]
    assert ["zhifa." + layer for layer in reversed(layers)] == settings.ZHIFA_APPS


def test_core_is_at_the_bottom_and_reports_portal_integrations_on_top():
    apps = [a.rsplit(".", 1)[-1] for a in settings.ZHIFA_APPS]
    assert apps[0] == "core"
    assert set(apps[-3:]) == {"reports", "portal", "integrations"}


def test_the_order_of_the_work_lists_every_app_once():
    assert sorted(settings.ZHIFA_WORK_ORDER) == sorted(settings.ZHIFA_APPS)
    assert len(set(settings.ZHIFA_WORK_ORDER)) == len(settings.ZHIFA_WORK_ORDER)
