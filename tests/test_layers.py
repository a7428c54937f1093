"""The layout holds: each package imports only what its docstring allows, and nothing runs back up.

Read from the source (every `from .x import y`, at any depth, lazy imports in functions included), so a new
import that breaks the layering fails here, not in a reviewer's reading.
"""

from __future__ import annotations

import ast
from pathlib import Path

import flashcards

PACKAGE = Path(flashcards.__file__).parent
LIBRARY = {"errors", "model", "clock", "settings", "files", "importers", "anki", "store", "stats", "scheduling",
           "decks", "review", "export", "import_anki", "sync"}
GROUND = {"errors", "model", "clock"}
USE_CASE = GROUND | {"settings", "files", "store", "decks", "scheduling", "anki"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "model": set(),
    "clock": set(),
    "settings": {"errors", "files"},
    "files": {"errors"},
    "importers": {"errors", "model", "files"},
    "anki": GROUND | {"files"},
    "store": GROUND | {"files", "settings", "stats"},  # stats: totals.py only (see below)
    "stats": GROUND | {"settings", "store"},
    "scheduling": GROUND | {"settings", "store"},  # store: the optimize service only (see below)
    "decks": GROUND | {"files", "importers", "store"},
    "review": GROUND | {"settings", "scheduling", "store", "decks"},
    "export": USE_CASE,
    "import_anki": USE_CASE,
    "sync": USE_CASE,
    "ui": GROUND | {"settings", "files", "decks", "review", "stats", "export", "import_anki", "sync"},
    "commands": LIBRARY | {"ui"},
    "cli": {"commands", "errors", "model", "__version__"},
    "__main__": {"cli"},
    "__init__": set(),
}
# Modules held to less than their package: the ground floor of a package that other packages import.
NARROWER: dict[str, set[str]] = {
    "stats.totals": set(),
    "decks.deckfile": {"errors", "model", "files", "decks.locks", "decks.deckfile"},
    "decks.locks": {"errors", "files"},
}
# The only modules of a package that may reach a given package.
ONLY_FROM: dict[tuple[str, str], set[str]] = {
    ("store", "stats"): {"store.stats_queries"},
    ("scheduling", "store"): {"scheduling.optimize"},
}


def _imports() -> list[tuple[str, str]]:
    """(importing module, imported module) for every relative import in the package, names relative to it."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "__init__"
        package = list(parts[:-1])
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                assert not any(_top(alias.name) == "flashcards" for alias in node.names), f"{path}:{node.lineno}"
            if not isinstance(node, ast.ImportFrom):
                continue
            if not node.level:
                assert _top(node.module or "") != "flashcards", f"{path}:{node.lineno}: import our own relatively"
                continue
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                found.append((module, ".".join([*base, node.module])))
            else:
                found.extend((module, ".".join([*base, alias.name])) for alias in node.names)
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def test_every_package_imports_only_what_it_may():
    wrong = []
    for importer, imported in _imports():
        source, target = _top(importer), _top(imported)
        if source == target and not any(importer.startswith(narrow) for narrow in NARROWER):
            continue
        narrow = next((allowed for name, allowed in NARROWER.items()
                       if importer == name or importer.startswith(name + ".")), None)
        if narrow is not None:
            if not any(imported == ok or imported.startswith(ok + ".") or target == ok for ok in narrow):
                wrong.append(f"{importer} -> {imported}")
            continue
        if target not in ALLOWED[source]:
            wrong.append(f"{importer} -> {imported}")
        only = ONLY_FROM.get((source, target))
        if only is not None and importer not in only:
            wrong.append(f"{importer} -> {imported} (only {', '.join(sorted(only))} may)")
        if (source, target) == ("store", "stats") and imported != "stats.totals":
            wrong.append(f"{importer} -> {imported} (the store takes only the shapes in stats.totals)")
    assert wrong == []


def test_few_modules_loose_at_the_top_and_every_package_says_what_it_may_import():
    loose = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(loose) <= 10, loose
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "may import" in doc.lower(), f"{init.parent.name}/__init__.py does not say what the package may import"
