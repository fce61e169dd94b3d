"""The dependency order of vipdesk's apps, and a checker that reads every import in the source.

An app may import from its own layer's apps and from the layers below it, never from a layer above;
inside a layer the apps' imports form no loop, and no two modules import each other (directly or
round a loop). Imports inside functions count like any other: they are not a way around the order.

Entry points sit on top whatever app they live in: an app's `api/` package (its HTTP views and
serializers) and its `management/` commands belong to the top layer, next to `vipdesk.api` and the
console — so `members/api/views.py` may import care, but `members/services.py` may not. Still, no
two app folders may import each other, counting their entry points: an entry point that needs the
apps above its own app belongs in a higher app (`vipdesk init` is the setup app's).

The lists below are the contract; docs/architecture.md draws them. `check()` is run by
vipdesk/testing/tests/test_layers.py over the real tree and over deliberately bad samples.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

# Lowest first. Within a layer an app may use another of the same layer as long as no loop forms;
# the comments give the order the apps keep today.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core", "scheduler"),  # clock, money, errors, limits; the daily-job registry and its runner
    ("accounts", "audit", "org"),  # who acts, what they may do, the trail; org (stores) uses both
    ("members",),  # the member file, cards, consent, disclosure
    # loyalty: sales (receipts) ← tiers ← points, coupons ← wallet ← pricing (quotes) ← till (posting)
    ("sales", "tiers", "points", "coupons", "wallet", "pricing", "till"),
    # what reads the loyalty apps: care ← messaging; feedback ← performance; analytics; reports;
    # webhooks (reads care's signals and every lower app's); grading (imported balances → tiers, care
    # tasks); servicedesk (tickets: reads feedback's complaints, tells members through messaging);
    # arrivals (issue 19 §1) reads care, feedback, servicedesk and tiers for its notices;
    # salesimport (files of sales, posted through the till); companies (organisation accounts, the
    # annual evaluation: reads sales, care, feedback; awards via wallet, points); partners
    # (merchants: tiers' levels, points' partner spend); hotline (routes VIP calls; a missed call
    # opens a servicedesk ticket); campaigns (a template to a segment through messaging's outbox, the
    # response read from sales); events (VIP events: invitations through a campaign, replies, the door,
    # results; feeds care's pre-event notice and takes points through the points services)
    ("messaging", "care", "feedback", "performance", "grading", "analytics", "reports", "webhooks", "servicedesk",
     "arrivals", "salesimport", "companies", "partners", "hotline", "campaigns", "events"),
    ("api", "console", "portal", "setup", "demo", "testing", "cli", "conftest"),  # entry points
)
ENTRY_POINT_PACKAGES = ("api", "management")  # <app>.api.*, <app>.management.* are entry points
TOP = len(LAYERS) - 1
ROOT = Path(__file__).resolve().parent.parent  # the vipdesk package


@dataclass(frozen=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module, dotted (the deepest existing module of the name)
    path: str
    line: int
    in_function: bool

    def __str__(self):
        where = " (inside a function)" if self.in_function else ""
        return f"{self.path}:{self.line} {self.source} imports {self.target}{where}"


def layer_of_app(app: str) -> int:
    for index, apps in enumerate(LAYERS):
        if app in apps:
            return index
    raise KeyError(f"app {app!r} is in no layer of vipdesk/testing/layers.py: add it")


def layer_of_module(module: str) -> int:
    parts = module.split(".")
    if len(parts) > 2 and parts[2] in ENTRY_POINT_PACKAGES:
        return TOP
    return layer_of_app(parts[1])


def _is_test(relative: Path) -> bool:
    return ("tests" in relative.parts or "migrations" in relative.parts or relative.name.startswith("test_")
            or relative.name == "conftest.py" and len(relative.parts) > 1)


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted name → file, for every non-test, non-migration module of the package."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if _is_test(relative):
            continue
        dotted = ".".join((root.name, *relative.with_suffix("").parts)).removesuffix(".__init__")
        if dotted.count("."):  # the vipdesk package itself is no app
            found[dotted] = path
    return found


def _resolve(name: str, known: set[str]) -> str | None:
    """The deepest known module that `name` (a module or module.attribute) refers to."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, source: str, path: str, known: set[str]) -> list[Import]:
    """Every import of a vipdesk module in `source`, at any depth, with whether it sits in a function."""
    is_package = path.endswith("__init__.py")
    found: list[Import] = []

    def add(name: str, node: ast.AST, in_function: bool):
        target = _resolve(name, known)
        if target and target != module:
            found.append(Import(module, target, path, node.lineno, in_function))

    def visit(node: ast.AST, in_function: bool):
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    add(alias.name, child, in_function)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    package = module.split(".") if is_package else module.split(".")[:-1]
                    base = package[: len(package) - (child.level - 1)]
                    stem = ".".join(base + ([child.module] if child.module else []))
                else:
                    stem = child.module or ""
                for alias in child.names:  # `from pkg import submodule` imports the submodule
                    add(f"{stem}.{alias.name}", child, in_function)
            visit(child, inside)

    visit(ast.parse(source, filename=path), False)
    return found


def _app(module: str) -> str:
    return module.split(".")[1]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def _node(module: str) -> str:
    """The unit the app-level loop check works on: the whole app, its entry points included (an app's
    api/ may use apps above it, but then none of those may use the app: no circle of app folders)."""
    return module.split(".")[1]


def check(sources: dict[str, tuple[str, str]]) -> list[str]:
    """Problems in a tree given as {module: (path, source)}; an empty list means the order holds."""
    known = set(sources)
    edges = sorted({imp for module, (path, text) in sources.items() for imp in imports_of(module, text, path, known)},
                   key=lambda imp: (imp.path, imp.line, imp.target))
    problems = []
    for imp in edges:
        if _app(imp.source) == _app(imp.target) and layer_of_module(imp.source) >= layer_of_module(imp.target):
            continue
        if layer_of_module(imp.target) > layer_of_module(imp.source):
            problems.append(f"upward import: {imp}")
    app_graph: dict[str, set[str]] = {}
    for imp in edges:
        source, target = _node(imp.source), _node(imp.target)
        if source != target:
            app_graph.setdefault(source, set()).add(target)
    for loop in _cycles(app_graph):
        problems.append("apps import each other round a loop: " + " ↔ ".join(loop))
    module_graph: dict[str, set[str]] = {}
    for imp in edges:
        module_graph.setdefault(imp.source, set()).add(imp.target)
    for loop in _cycles(module_graph):
        problems.append("modules import each other round a loop: " + " ↔ ".join(loop))
    return problems


def check_tree(root: Path = ROOT) -> list[str]:
    return check({module: (str(path.relative_to(root.parent)), path.read_text(encoding="utf-8"))
                  for module, path in modules(root).items()})
