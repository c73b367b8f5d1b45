"""The layers, kept so: ui -> services -> {anki, importers, storage, content} -> scheduling ->
core. A module imports only from its own layer or below, and no two modules import each
other, directly or round about. Read from the source (every import, at module level or
inside a function; imports only for type checkers are left out of the cycle check)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

LAYERS = {
    "core": 0,
    "scheduling": 1,
    "io": 2,  # content, storage, anki, importers
    "services": 3,
    "ui": 4,
}
CORE = {
    "drill",
    "drill.clock",
    "drill.formula",
    "drill.grading",
    "drill.kinds",
    "drill.lints",
    "drill.markup",
    "drill.model",
    "drill.names",
    "drill.problems",
    "drill.problems.assume",
    "drill.problems.attempt",
    "drill.problems.checking",
    "drill.problems.constraints",
    "drill.problems.decision",
    "drill.problems.model",
    "drill.problems.napkin",
    "drill.problems.units",
    "drill.quantity",
}
SCHEDULING = {"drill.scheduler", "drill.fsrs_scheduler", "drill.options"}
IO = {
    "drill.authoring",
    "drill.config",
    "drill.content",
    "drill.jsonschema",
    "drill.paths",
    "drill.problems.reader",
    "drill.yamlnodes",
}


def layer(module: str) -> str:
    if module in CORE:
        return "core"
    if module in SCHEDULING:
        return "scheduling"
    if module in IO or module.startswith(("drill.storage", "drill.anki", "drill.importers")):
        return "io"
    if module.startswith("drill.services"):
        return "services"
    if module.startswith("drill.ui") or module in ("drill.entry", "drill.__main__", "drill.decks"):
        return "ui"
    raise AssertionError(f"{module} is in no layer: add it to tests/test_layers.py")


def modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "drill").rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> tuple[set[str], set[str]]:
    """(every drill module imported, those imported at run time: not for type checkers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    runtime: set[str] = set()
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        for target in targets:
            if target in known and target != name:
                found.add(target)
                if id(node) not in typing_only:
                    runtime.add(target)
    return found, runtime


GRAPH = {name: imports(name, path, set(modules())) for name, path in modules().items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_a_module_imports_only_its_layer_and_below(module):
    mine = LAYERS[layer(module)]
    above = [m for m in GRAPH[module][0] if LAYERS[layer(m)] > mine]
    assert not above, f"{module} ({layer(module)}) imports {above}"


def test_no_import_cycles():
    graph = {name: runtime for name, (_, runtime) in GRAPH.items()}
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(node) :], node]))
        if node in done:
            return
        for nxt in sorted(graph[node]):
            visit(nxt, [*path, node])
        done.add(node)

    for name in sorted(graph):
        visit(name, [])


def test_drill_due_loads_no_heavy_module():
    """`drill due` runs in shell prompts: typer, yaml, genanki, fsrs, rich, and the quiz's
    image library (textual-image, Pillow) stay out."""
    import subprocess
    import sys

    code = (
        "import sys, drill.entry as e\n"
        "sys.argv = ['drill', 'due']\n"
        "try:\n    e.main()\nexcept SystemExit:\n    pass\n"
        "heavy = {'typer', 'yaml', 'genanki', 'fsrs', 'rich', 'sqlite_utils', 'anki',\n"
        "         'textual_image', 'PIL'}\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    subprocess.run([sys.executable, "-m", "drill", "due"], check=True, capture_output=True)
    # The store is synced: the second `drill due` reads no deck file.
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip().splitlines()[-1] == "[]", run.stdout + run.stderr


def test_only_the_mirror_imports_anki():
    """Anki's backend is the optional extra drill-cards[anki]: only `drill sync` may need it,
    through drill.anki.mirror; the quiz, build, pull and `drill due` never import it."""
    importers = set()
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            if any(n == "anki" or n.startswith("anki.") for n in names):
                importers.add(name)
    assert importers == {"drill.anki.mirror"}
