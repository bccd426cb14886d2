"""The layout is checked, not only described: imports run one way and modules stay small.

Layers (docs/architecture.md): ``domain`` <- ``config``, ``adapters`` <- ``services`` <- ``cli``;
``integrations`` call services. The test reads every import of the package: top-level,
function-local, ``TYPE_CHECKING`` blocks and ``import_module("...")`` strings.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "oncall"
MAX_LINES = 500

# Rank of each layer: a module may import its own rank or a lower one, never a higher one.
RANKS = {
    "oncall": 0,  # oncall/__init__.py: the version only
    "oncall.errors": 0,
    "oncall.domain": 0,
    "oncall.config": 1,
    "oncall.adapters": 1,
    "oncall.reports": 1,
    "oncall.services": 2,
    "oncall.integrations": 3,
    "oncall.cli": 3,
    "oncall.__main__": 4,
}
# Inside services, a lower capability never imports a higher one.
SERVICE_RANKS = {
    "common": 0,
    "roster": 1,
    "schedule": 1,
    "calendar": 1,
    "diff": 1,
    "lock": 1,
    "swap": 2,
    "shifts": 2,
    "override": 2,
    "store": 2,
    "publish": 3,
    "paging": 3,
    "runbook": 4,
    "validation": 5,
    "doctor": 6,
    "scaffold": 6,
}
DOMAIN_ALLOWED_THIRD_PARTY = {"pydantic", "pydantic_core", "typing_extensions"}
DOMAIN_FORBIDDEN_CALLS = ("os.environ", "open(", "datetime.now", "date.today", "time.time")
CLI_ONLY = {"typer", "click", "rich"}


@dataclass(frozen=True)
class Import:
    source: str  # importing module, dotted
    target: str  # imported module or name, dotted
    line: int


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def read_imports(path: Path, text: str | None = None) -> Iterator[Import]:
    """Every import in ``path`` (its text read from disk unless given)."""
    source = module_name(path)
    is_package = path.name == "__init__.py"
    if text is None:
        text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = source.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                yield Import(source, f"{module}.{alias.name}", node.lineno)
        elif (
            isinstance(node, ast.Call)
            and _call_name(node.func) in ("import_module", "importlib.import_module")
            and node.args
        ):
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield Import(source, arg.value, node.lineno)
            elif isinstance(arg, ast.JoinedStr):
                prefix = "".join(
                    v.value
                    for v in arg.values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                )
                yield Import(source, prefix.rstrip("."), node.lineno)


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return f"{_call_name(func.value)}.{func.attr}"
    return ""


ALL_MODULES = {module_name(p) for p in package_files()}


def resolve_module(target: str) -> str | None:
    """The package module an import refers to (``oncall.a.b.Name`` -> ``oncall.a.b``)."""
    parts = target.split(".")
    while parts:
        name = ".".join(parts)
        if name in ALL_MODULES:
            return name
        parts.pop()
    return None


def layer(module: str) -> str:
    for name in sorted(RANKS, key=len, reverse=True):
        if module == name or (name != "oncall" and module.startswith(name + ".")):
            return name
    raise AssertionError(f"{module} is in no layer: add it to RANKS and docs/architecture.md")


def service_rank(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 3 or parts[1] != "services":
        return None
    return SERVICE_RANKS.get(parts[2])


def internal_edges() -> list[Import]:
    edges = []
    for path in package_files():
        for imp in read_imports(path):
            target = resolve_module(imp.target) if imp.target.startswith("oncall") else None
            if target and target != imp.source:
                edges.append(Import(imp.source, target, imp.line))
    return edges


def test_no_upward_imports() -> None:
    wrong: list[str] = []
    for edge in internal_edges():
        src, dst = layer(edge.source), layer(edge.target)
        if RANKS[dst] > RANKS[src]:
            wrong.append(f"{edge.source}:{edge.line} imports {edge.target} (a higher layer)")
        src_rank, dst_rank = service_rank(edge.source), service_rank(edge.target)
        if src_rank is not None and dst_rank is not None and dst_rank > src_rank:
            wrong.append(f"{edge.source}:{edge.line} imports {edge.target} (a higher service)")
    assert not wrong, "\n".join(dict.fromkeys(wrong))


def test_every_service_has_a_rank() -> None:
    services = PACKAGE / "services"
    names = {
        p.stem for p in services.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()
    }
    names.discard("__init__")
    assert names <= set(SERVICE_RANKS), f"rank these services: {sorted(names - set(SERVICE_RANKS))}"


def test_no_import_cycles() -> None:
    graph: dict[str, set[str]] = {}
    for edge in internal_edges():
        # A package importing its own submodules (re-exports) is not a cycle of capabilities.
        if edge.target.startswith(edge.source + "."):
            continue
        graph.setdefault(edge.source, set()).add(edge.target)
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*stack[stack.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def _third_party(target: str) -> str:
    return target.split(".")[0]


@pytest.mark.parametrize("path", package_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_module_rules(path: Path) -> None:
    module = module_name(path)
    text = path.read_text(encoding="utf-8")
    wrong = []
    lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if lines > MAX_LINES:
        wrong.append(f"{lines} lines (at most {MAX_LINES}): split it by concern")
    for imp in read_imports(path):
        top = _third_party(imp.target)
        if top in CLI_ONLY and not module.startswith("oncall.cli"):
            wrong.append(f"line {imp.line}: {top} outside oncall/cli/")
        if top == "rich" and module != "oncall.cli.output":
            wrong.append(f"line {imp.line}: rich outside oncall/cli/output.py")
        if module.startswith("oncall.domain"):
            if top == "oncall":
                if not (
                    imp.target.startswith("oncall.domain") or imp.target.startswith("oncall.errors")
                ):
                    wrong.append(f"line {imp.line}: domain imports {imp.target}")
            elif top not in sys.stdlib_module_names and top not in DOMAIN_ALLOWED_THIRD_PARTY:
                wrong.append(f"line {imp.line}: domain imports third-party {top}")
    if module.startswith("oncall.domain"):
        for forbidden in DOMAIN_FORBIDDEN_CALLS:
            if forbidden in text:
                wrong.append(f"domain uses {forbidden} (pass it in from the caller)")
    assert not wrong, f"{path.relative_to(PACKAGE.parent)}:\n" + "\n".join(wrong)


def test_the_reader_sees_every_kind_of_import() -> None:
    """The rules above are only as good as the import reader: prove it reads all forms."""
    code = (
        "import importlib\n"
        "from . import common\n"
        "from oncall.cli import output\n"
        "def f():\n"
        "    from oncall.cli.output import render\n"
        "    importlib.import_module('oncall.cli.who')\n"
        "    importlib.import_module(f'oncall.cli.{name}')\n"
    )
    as_if = PACKAGE / "services" / "probe_for_test.py"
    targets = [i.target for i in read_imports(as_if, code)]
    assert targets == [
        "importlib",
        "oncall.services.common",
        "oncall.cli.output",
        "oncall.cli.output.render",
        "oncall.cli.who",
        "oncall.cli",
    ]
