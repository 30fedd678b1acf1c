"""The package's architecture, checked from its source: four parts, each importing only what
its docstring allows, and no two modules importing each other in a circle.

The rules (also in ``src/alliance_meta/__init__.py`` and each part's docstring):

* ``engine`` imports only itself, the standard library, NumPy and SciPy;
* ``evidence`` imports the engine and itself (plus pandas and bibtexparser);
* ``figures`` imports the engine and itself (plus matplotlib, pandas, IPython), never the evidence;
* ``cli`` may import every part; no part imports it (the top-level API re-exports its reader).

Imports inside functions count as much as those at the top of a module, and so do the
lazy name tables (``_WHERE``) of the packages' ``__init__`` files: a circle or a forbidden
import that only runs on first use is still a circle or a forbidden import.
"""

from __future__ import annotations

import ast
import importlib
import math
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "alliance_meta"
PARTS = ("engine", "evidence", "figures", "cli")

#: part -> the parts it may import.
ALLOWED = {
    "engine": {"engine"},
    "evidence": {"engine", "evidence"},
    "figures": {"engine", "figures"},
    "cli": {"engine", "evidence", "figures", "cli"},
    "api": {"engine", "evidence", "figures", "cli", "api"},
}
#: part -> third-party top-level packages it may import (the standard library is always allowed).
THIRD_PARTY = {
    "engine": {"numpy", "scipy"},
    "evidence": {"numpy", "scipy", "pandas", "bibtexparser"},
    "figures": {"numpy", "matplotlib", "pandas", "IPython"},
    "cli": {"numpy", "pandas", "matplotlib"},
    "api": set(),
}


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules(root: Path, package: str = PACKAGE) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted((root / package).rglob("*.py"))}


def _resolve(current: str, is_package: bool, level: int, target: str | None) -> str:
    base = current.split(".") if is_package else current.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([target] if target else [])])


def imports(name: str, path: Path, known: set[str]) -> tuple[set[str], set[str]]:
    """(modules of the package that ``name`` imports, third-party top-level packages it imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    inner, outer = set(), set()

    def add(mod: str) -> None:
        if mod.split(".")[0] == PACKAGE:
            inner.add(mod)
        else:
            outer.add(mod.split(".")[0])

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            mod = _resolve(name, is_package, node.level, node.module) if node.level else node.module
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                add(sub if sub in known else mod)
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "_WHERE" for t in node.targets):
            for value in ast.literal_eval(node.value).values():
                level = len(value) - len(value.lstrip("."))
                add(_resolve(name, is_package, level, value.lstrip(".") or None))
    inner.discard(name)
    return inner, outer


def part_of(name: str) -> str:
    bits = name.split(".")
    return bits[1] if len(bits) > 1 and bits[1] in PARTS else "api"


def graph(root: Path) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    mods = modules(root)
    edges, third = {}, {}
    for name, path in mods.items():
        inner, outer = imports(name, path, set(mods))
        edges[name] = {m for m in inner if m in mods}
        third[name] = outer
    return edges, third


def forbidden(edges, third) -> list[str]:
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    out = []
    for name in sorted(edges):
        part = part_of(name)
        for target in sorted(edges[name]):
            if part_of(target) not in ALLOWED[part]:
                out.append(f"{name} ({part}) imports {target} ({part_of(target)})")
        for lib in sorted(third[name] - stdlib - THIRD_PARTY[part]):
            out.append(f"{name} ({part}) imports {lib}")
    return out


def circles(edges) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


EDGES, THIRD = graph(SRC)


def test_the_tree_shows_the_four_parts():
    top = {p.name for p in (SRC / PACKAGE).iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert top == set(PARTS)
    loose = sorted(p.name for p in (SRC / PACKAGE).glob("*.py"))
    assert loose == ["__init__.py"]


@pytest.mark.parametrize("part", PARTS)
def test_each_part_says_what_it_owns_and_may_import(part):
    doc = ast.get_docstring(ast.parse((SRC / PACKAGE / part / "__init__.py").read_text(encoding="utf-8")))
    assert doc and "own" in doc and "import" in doc


def test_no_part_imports_what_it_may_not():
    assert forbidden(EDGES, THIRD) == []


def test_no_two_modules_import_each_other_in_a_circle():
    assert circles(EDGES) == []


def test_the_engine_knows_nothing_of_the_project():
    for path in (SRC / PACKAGE / "engine").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("references.bib", "datapackage", "effect_sizes.csv", "syntheses.csv", "project_root", "book/"):
            assert word not in text, f"{path.name} mentions {word}"


def test_the_rules_catch_a_bad_tree(tmp_path):
    """The checker itself can fail: an engine that imports the evidence layer, a figure
    that imports the command line, a third-party import, and a circle are all reported."""
    pkg = tmp_path / PACKAGE
    for part in PARTS:
        (pkg / part).mkdir(parents=True)
        (pkg / part / "__init__.py").write_text('"""Owns x; may import y."""\n')
    (pkg / "__init__.py").write_text("")
    (pkg / "engine" / "a.py").write_text("def f():\n    from ..evidence import b\n    import pandas\n")
    (pkg / "evidence" / "b.py").write_text("from ..engine.c import g\n")
    (pkg / "engine" / "c.py").write_text("from . import a\ng = 1\n")
    (pkg / "figures" / "d.py").write_text("from alliance_meta.cli.e import h\n")
    (pkg / "cli" / "e.py").write_text("h = 1\n")
    edges, third = graph(tmp_path)
    bad = forbidden(edges, third)
    assert "alliance_meta.engine.a (engine) imports alliance_meta.evidence.b (evidence)" in bad
    assert "alliance_meta.engine.a (engine) imports pandas" in bad
    assert "alliance_meta.figures.d (figures) imports alliance_meta.cli.e (cli)" in bad
    assert circles(edges) == [["alliance_meta.engine.a", "alliance_meta.engine.c", "alliance_meta.evidence.b"]]


@pytest.mark.parametrize("package", [PACKAGE, *(f"{PACKAGE}.{p}" for p in PARTS[:3])])
def test_every_public_name_resolves(package):
    mod = importlib.import_module(package)
    for name in mod.__all__:
        assert getattr(mod, name) is not None, name


@pytest.mark.parametrize("package", [PACKAGE, *(f"{PACKAGE}.{p}" for p in PARTS[:3])])
def test_no_public_name_is_also_a_submodule(package):
    """Importing a submodule sets it as an attribute of its package: a public function of
    the same name would then turn into a module once anything imported that submodule."""
    folder = SRC / Path(*package.split("."))
    submodules = {p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if p.is_dir()}
    assert set(importlib.import_module(package).__all__) & submodules == set()


def test_public_names_survive_importing_every_submodule():
    for name in modules(SRC):
        if not name.endswith("__main__"):  # running it would run the command line
            importlib.import_module(name)
    from alliance_meta import figures

    assert callable(figures.forest) and callable(figures.funnel) and callable(figures.bubble)


def test_the_public_api_is_as_before():
    import alliance_meta

    for name in ("pool", "pool_correlations", "metareg", "PoolResult", "MetaRegResult", "estimate_tau2",
                 "q_profile_ci", "read_effects", "InputError", "load_effect_sizes", "load_syntheses",
                 "load_references", "load_table", "validate_package", "project_root", "read_bib", "by_sample"):
        assert name in alliance_meta.__all__
    res = alliance_meta.pool_correlations([0.3, 0.1, 0.25], [40, 120, 60])
    same = alliance_meta.pool([math.atanh(0.3), math.atanh(0.1), math.atanh(0.25)], [1 / 37, 1 / 117, 1 / 57],
                              back_transform=True)
    assert res.r == pytest.approx(same.r, abs=1e-12)
