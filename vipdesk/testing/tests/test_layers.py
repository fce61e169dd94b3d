"""The apps' dependency order holds over the whole source (vipdesk/testing/layers.py), and the check
itself catches what it is there to catch: an upward import hidden in a function, a loop, an app no
layer declares."""
import pytest

from vipdesk.testing import layers


def test_the_source_keeps_the_declared_order():
    problems = layers.check_tree()
    assert problems == [], "\n".join(problems)


def test_every_app_folder_is_in_a_layer():
    apps = {module.split(".")[1] for module in layers.modules()}
    assert {app for app in apps if not any(app in layer for layer in layers.LAYERS)} == set()


def _tree(**files):
    return {name: (name.replace(".", "/") + ".py", text) for name, text in files.items()}


BASE = {
    "vipdesk.care.services": "def care_after_sale(sale):\n    return None\n",
    "vipdesk.members.models": "class Member:\n    pass\n",
    "vipdesk.members.services": "from vipdesk.members.models import Member\n",
}


def test_an_upward_import_inside_a_function_is_refused():
    tree = _tree(**{**BASE, "vipdesk.members.services": "def enrol():\n    from vipdesk.care.services import care_after_sale\n"})
    problems = layers.check(tree)
    assert len(problems) == 1
    assert problems[0].startswith("upward import: vipdesk/members/services.py:2 vipdesk.members.services imports "
                                  "vipdesk.care.services (inside a function)")


def test_an_upward_import_at_module_level_is_refused():
    tree = _tree(**{**BASE, "vipdesk.members.services": "import vipdesk.care.services\n"})
    assert [p.split(" imports ")[1] for p in layers.check(tree)] == ["vipdesk.care.services"]


def test_entry_points_may_import_any_layer_but_nothing_may_import_them():
    tree = _tree(**BASE, **{"vipdesk.members.api.views": "from vipdesk.care.services import care_after_sale\n"})
    assert layers.check(tree) == []
    tree = _tree(**BASE, **{"vipdesk.members.api.views": "X = 1\n",
                            "vipdesk.care.rules": "from vipdesk.members.api.views import X\n"})
    assert len(layers.check(tree)) == 1


def test_a_loop_between_apps_of_one_layer_is_refused():
    tree = _tree(**{"vipdesk.sales.models": "def f():\n    from vipdesk.points.ledger import g\n",
                    "vipdesk.points.ledger": "from vipdesk.sales.models import f\ndef g():\n    pass\n"})
    assert layers.check(tree) == [
        "apps import each other round a loop: points ↔ sales",
        "modules import each other round a loop: vipdesk.points.ledger ↔ vipdesk.sales.models",
    ]


def test_a_loop_inside_one_app_is_refused():
    tree = _tree(**{"vipdesk.care.generation": "from . import outbox\n",
                    "vipdesk.care.outbox": "from .services import x\n",
                    "vipdesk.care.services": "def x():\n    from vipdesk.care.generation import y\n"})
    assert layers.check(tree) == ["modules import each other round a loop: "
                                  "vipdesk.care.generation ↔ vipdesk.care.outbox ↔ vipdesk.care.services"]


def test_an_app_in_no_layer_is_named():
    with pytest.raises(KeyError, match="'bookings' is in no layer"):
        layers.check(_tree(**{"vipdesk.bookings.services": "from vipdesk.members.models import Member\n",
                              "vipdesk.members.models": ""}))


def _missing_names(paths) -> list[str]:
    """`from vipdesk.x import name` whose name is neither in the module nor a submodule of it."""
    import ast
    import importlib

    missing = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("vipdesk"):
                module = importlib.import_module(node.module)
                for alias in node.names:
                    if not hasattr(module, alias.name):
                        try:
                            importlib.import_module(f"{node.module}.{alias.name}")
                        except ModuleNotFoundError:
                            missing.append(f"{path}:{node.lineno} {node.module}.{alias.name}")
    return missing


def test_every_imported_name_exists_even_inside_functions():
    """A name moved to another module must not leave an import inside a function (or a test) that
    only fails when that function runs."""
    paths = [p for p in sorted(layers.ROOT.rglob("*.py")) if "migrations" not in p.parts]
    assert _missing_names(paths) == []


def test_the_benchmarks_import_names_that_exist():
    """bench/ scripts import inside functions (they set Django up first)."""
    assert _missing_names(sorted((layers.ROOT.parent / "bench").glob("*.py"))) == []


def test_no_module_is_over_600_lines():
    """Past 600 lines a module has seams waiting to be modules (docs/architecture.md)."""
    long = {str(path.relative_to(layers.ROOT.parent)): n for _module, path in layers.modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_an_entry_point_that_closes_a_circle_of_apps_is_refused():
    """tiers' own command installing care's rules, while care uses tiers: a circle of app folders."""
    tree = _tree(**{"vipdesk.tiers.models": "class Level:\n    pass\n",
                    "vipdesk.care.rules": "from vipdesk.tiers.models import Level\n",
                    "vipdesk.tiers.management.commands.init": "def handle():\n    from vipdesk.care.rules import Level\n"})
    assert layers.check(tree) == ["apps import each other round a loop: care ↔ tiers"]
