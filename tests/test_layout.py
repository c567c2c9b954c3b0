"""The code's layout holds: features import only the floors below them, no import circles,
and slack_bolt only in the Slack plumbing, the composition root and the listeners.

Floors, lowest first (README, "Code map"). A module may import its own folder and any lower
floor; never a floor above, nor a sibling feature on its own floor. The ground floor's rooms
(the index, settings, the data file) may use one another, circles aside.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOORS: list[tuple[str, ...]] = [
    ("indexer", "bot.settings", "bot.dates", "bot.data", "mutuals_knowledge"),
    ("bot.services",),
    ("bot.slack",),
    ("bot.registrations",),
    ("bot.enquiries",),
    ("bot.answers", "bot.admin"),
    ("bot.home",),
    ("bot.app",),  # the composition root: the app factory ...
    ("bot.server",),  # ... and the server that runs it
    ("bot.cli",),
]
BOLT_ALLOWED = ("bot.slack", "bot.app", "bot.server")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


SOURCES = {_module(p): p for d in ("bot", "indexer") for p in sorted((ROOT / d).rglob("*.py"))}


def _imports(path: Path) -> Iterator[str]:
    """Every module an import in `path` names (from-imports of submodules resolved)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            for alias in node.names:
                if f"{node.module}.{alias.name}" in SOURCES:
                    yield f"{node.module}.{alias.name}"


def _ours(name: str) -> bool:
    return name.split(".")[0] in ("bot", "indexer", "mutuals_knowledge")


def _place(module: str) -> tuple[int, str]:
    """(floor, room): the room is the floor's entry the module belongs to."""
    for floor, rooms in enumerate(FLOORS):
        for room in rooms:
            if module == room or module.startswith(room + "."):
                return floor, room
    raise AssertionError(f"{module} is on no floor: add it to FLOORS and README's code map")


def test_every_module_has_a_floor() -> None:
    for module in SOURCES:
        if module != "bot":
            _place(module)


def test_no_import_runs_up_a_floor_or_across_to_a_sibling_feature() -> None:
    wrong = []
    for module, path in SOURCES.items():
        if module == "bot":
            continue
        floor, room = _place(module)
        for name in filter(_ours, _imports(path)):
            if name == "bot":
                continue
            their_floor, their_room = _place(name)
            sideways = their_floor == floor > 0 and their_room != room
            if their_floor > floor or sideways:
                wrong.append(f"{module} imports {name}")
    assert wrong == []


def test_no_import_circles() -> None:
    graph = {m: {n for n in _imports(p) if n in SOURCES and n != m} for m, p in SOURCES.items()}
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            raise AssertionError("import circle: " + " -> ".join([*trail, module]))
        if module in done:
            return
        for name in sorted(graph[module]):
            if not name.startswith(module + "."):  # a package importing its own parts
                visit(name, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


def test_slack_bolt_only_in_the_plumbing_the_root_and_listeners() -> None:
    wrong = [
        module
        for module, path in SOURCES.items()
        if any(n.split(".")[0] == "slack_bolt" for n in _imports(path))
        and not module.startswith(BOLT_ALLOWED)
        and not module.endswith(".listeners")
    ]
    assert wrong == []


def test_every_package_is_installed() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = {m for m, p in SOURCES.items() if p.name == "__init__.py"}
    missing = sorted(p for p in packages | {"mutuals_knowledge"} if f'"{p}"' not in pyproject)
    assert missing == [], "pyproject.toml [tool.setuptools] packages misses these"
