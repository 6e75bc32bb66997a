"""The house rules that a test can enforce: CLI libraries only in cli.py, no stage imports a later one."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "graph"

# Stage order (data flows one way). A module may import modules of its own rank or earlier.
RANKS = {
    "model": 0, "errors": 0, "config": 0, "vocab": 0,
    "textclean": 1, "ingest": 1,
    "extract": 2, "nlp": 2,
    "gazetteer": 3, "resolve": 3,
    "rdfgraph": 4, "shacl_sparql": 4, "shacl_reference": 4, "violations": 4, "validate": 4, "store": 4, "remote": 4, "lock": 4, "sparql_params": 4, "writer": 5, "entity_cache": 5,
    "query": 5, "render": 5, "link": 5, "namefind": 5, "explore": 5, "neighbourhood": 5, "bounded": 5, "naming": 5, "paths": 5, "pathsearch": 5, "timeline": 5, "export": 5, "conflicts": 5,
    "pipeline": 6,
    "sparql_guard": 7, "server": 7,
    "cli": 8, "__main__": 8, "__init__": 8,
}


def _modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py")]


def _stage(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return rel.parts[0]


def _imports(path: Path) -> list[tuple[str, int]]:
    """Give (top-level module name, level) for every import in a file; level > 0 is relative."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name.split(".")[0], 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                found.append(((node.module or "").split(".")[0], 0))
            else:
                target = (node.module or "").split(".")[0]
                if target:
                    found.append((target, node.level))
                else:
                    found += [(a.name, node.level) for a in node.names]
    return found


def test_architecture_every_module_has_a_rank() -> None:
    missing = sorted({_stage(p) for p in _modules()} - set(RANKS))
    assert not missing, f"add these modules to RANKS in tests/test_architecture.py: {missing}"


def test_architecture_typer_and_rich_only_in_cli() -> None:
    offenders = []
    for path in _modules():
        if path.name == "cli.py":
            continue
        for name, level in _imports(path):
            if level == 0 and name in {"typer", "rich", "click"}:
                offenders.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not offenders, offenders


def test_architecture_no_stage_imports_a_later_one() -> None:
    offenders = []
    for path in _modules():
        stage = _stage(path)
        inside_nlp = stage == "nlp"
        for name, level in _imports(path):
            if level == 0 and name != "reformkg":
                continue
            if inside_nlp and level == 1:
                continue  # sibling components inside the nlp package
            target = name if level else None
            if target is None or target not in RANKS:
                continue
            if RANKS[target] > RANKS[stage]:
                offenders.append(f"{path.relative_to(PACKAGE)} ({stage}) imports {target}")
    assert not offenders, offenders


def test_architecture_library_never_prints() -> None:
    offenders = []
    for path in _modules():
        if path.name in {"cli.py", "__main__.py"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, offenders
