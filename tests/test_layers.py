"""Dependencies one way: every module of `osms` belongs to one layer of the pipeline and imports only from its own
layer or the layers below it (docs/architecture.md). The imports are read with `ast`, those inside functions too, so
a backwards import fails here naming both modules."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Lowest first. A module's layer is the first entry naming it or a package holding it (`cli` holds `cli.run`).
LAYERS: dict[str, tuple[str, ...]] = {
    "core": ("osms", "osms.core"),
    "policy": ("osms.policy",),
    "engine": ("osms.engine",),
    "inputs": ("osms.inputs",),
    "runs": ("osms.runs",),
    "outputs": ("osms.outputs",),
    "testing": ("osms.testing",),
    "entry": ("osms.api", "osms.dask", "osms.__main__", "osms.cli", "osms.serve"),
}
ORDER = list(LAYERS)


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted((SRC / "osms").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def layer_of(module: str) -> str | None:
    """The layer of a module: the most specific name declared for it or for a package holding it."""
    best: tuple[int, str] | None = None
    for layer, names in LAYERS.items():
        for name in names:
            if (module == name or module.startswith(name + ".")) and (best is None or len(name) > best[0]):
                best = (len(name), layer)
    return best[1] if best else None


def imports_of(module: str) -> set[str]:
    """The `osms` modules a module imports (`from . import x` names the module x where there is one)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "osms")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            elif node.module and node.module.split(".")[0] == "osms":
                target = node.module
            else:
                continue
            subs = [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
            found.update(subs or [target])
    return {m for m in found if m != module}


def test_every_module_has_a_layer() -> None:
    missing = [m for m in MODULES if layer_of(m) is None]
    assert not missing, f"declare the layer of {', '.join(missing)} in tests/test_layers.py LAYERS"
    declared = {n for names in LAYERS.values() for n in names}
    gone = sorted(n for n in declared if n not in MODULES)
    assert not gone, f"LAYERS names modules that do not exist: {', '.join(gone)}"


def test_each_layer_imports_only_from_below() -> None:
    backwards = []
    for module in MODULES:
        mine = ORDER.index(layer_of(module) or "entry")
        for target in sorted(imports_of(module)):
            theirs = layer_of(target)
            assert theirs is not None, f"{module} imports {target}, which is not a module of osms"
            if ORDER.index(theirs) > mine:
                backwards.append(f"{module} ({ORDER[mine]}) imports {target} ({theirs})")
    assert not backwards, "imports against the layer order " + " → ".join(ORDER) + ":\n" + "\n".join(backwards)


def test_the_check_reads_imports_inside_functions_and_relative_ones() -> None:
    """The reader itself: runner's lazy `from .errors import OsmsErrors` and report's `from . import __version__`
    (an attribute of the package, not a module) are both seen."""
    assert "osms.core.errors" in imports_of("osms.runs.scenarios")
    assert "osms" in imports_of("osms.outputs.records")
    assert "osms.cli.common" in imports_of("osms.cli.run")
    assert layer_of("osms.cli.run") == "entry" and layer_of("osms.testing.reports") == "testing"
