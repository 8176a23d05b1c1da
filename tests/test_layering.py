"""The layering has one statement: settings.ZHIFA_APPS in dependency order, which the import-linter contract
in
pyproject.toml checks (``lint-imports``, run by scripts/test.sh). These tests keep the two lists the same, so
neither can drift from the other, and keep the order of the work a permutation of the apps."""

import ast
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"

pytestmark = pytest.mark.engine_independent  # reads the source tree and settings, never the database


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


SRC = Path(__file__).resolve().parents[1] / "src"


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _is_module(dotted: str) -> bool:
    path = SRC.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _private_imports(path: Path) -> list[str]:
    """Underscore names ``path`` takes from other modules of the project: ``from zhifa.x import _y`` (relative
    or absolute), ``import zhifa.x._y``, and ``module._y`` on a project module it imported."""
    parts = path.relative_to(SRC).with_suffix("").parts
    package = parts[:-1]  # a package's __init__ resolves relative imports from the package itself
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found, modules = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            own = package[:len(package) - node.level + 1] if node.level else ()
            base = ".".join(own + ((node.module,) if node.module else ()))
            if not base.startswith("zhifa"):
                continue
            for alias in node.names:
                if _private(alias.name):
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} from {base} import {alias.name}")
                elif _is_module(f"{base}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("zhifa."):
                    if any(_private(p) for p in alias.name.split(".")):
                        found.append(f"{path.relative_to(SRC)}:{node.lineno} import {alias.name}")
                    if alias.asname:
                        modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name) \
                and node.value.id in modules:
            found.append(f"{path.relative_to(SRC)}:{node.lineno} {modules[node.value.id]}.{node.attr}")
    return found


def test_no_module_takes_a_private_name_from_another():
    """A helper shared by several modules is a public, documented name in the module that owns it; an
    underscore name stays in its module (tests and migrations may reach in)."""
    found = [hit for path in sorted((SRC / "zhifa").rglob("*.py"))
             if "tests" not in path.parts and "migrations" not in path.parts
             for hit in _private_imports(path)]
    assert found == []
