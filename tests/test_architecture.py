"""Layer rules (DESIGN §5), read from every module's imports and path.

The layer of a module is its path: `core/` and any capability's `core/` are pure; `git/`
is the only GitPython user; `catalog/` reads a catalog; every other package is one
capability; `api/` is the facade; `cli/` is the only click user and the only printer.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gitops_templates"
MODULES = sorted(PACKAGE.rglob("*.py"))

# Each package's rank: an import goes to a lower rank, or between two capabilities.
BASE_RANKS = {"errors": 0, "core": 1, "git": 2, "catalog": 3, "api": 5, "__init__": 6, "cli": 6,
              "__main__": 7}  # fmt: skip
CAPABILITY_RANK = 4
# What pure code must not import; calls that do IO are caught by `io_calls` below.
IO_MODULES = {"subprocess", "socket", "sqlite3", "urllib", "http", "shutil", "tempfile", "os",
              "io", "pathlib", "asyncio", "click", "git", "yaml", "jinja2", "requests"}  # fmt: skip
PURE_THIRD_PARTY = {
    "semver",
    "regex",
    "jsonpatch",
    "jsonpointer",
}  # regex: user patterns under a time budget
# witness checks counterexamples with jsonschema: computation on values, no IO
PURE_EXCEPTIONS = {"compat/core/witness.py": {"jsonschema"}}


def name_of(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def package_of(module: str) -> str:
    """`core/tags.py` -> `core`; `api/catalog.py` -> `api`; dotted names work too."""
    first = module.replace(".", "/").split("/")[0]
    return first.removesuffix(".py")


def is_pure(module: str) -> bool:
    """`core/...`, `<capability>/core/...` and `errors`; slashed paths or dotted names."""
    parts = module.removesuffix(".py").replace(".", "/").split("/")
    return parts == ["errors"] or "core" in parts


def imports(path: Path) -> set[str]:
    """Absolute module names imported anywhere in the file (lazy and TYPE_CHECKING too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{name_of(path)}: relative import"
            assert node.module
            found.add(node.module)
            if node.module.startswith("gitops_templates"):  # `from pkg import module`
                found |= {
                    f"{node.module}.{a.name}" for a in node.names if is_module(node.module, a.name)
                }
            if node.module == "gitops_templates":  # names the root re-exports lazily
                found |= {f"gitops_templates.{EXPORTS[a.name]}" for a in node.names
                          if a.name in EXPORTS}  # fmt: skip
    return found


def _root_exports() -> dict[str, str]:
    """`gitops_templates._EXPORTS` read from the source (name -> defining module)."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    node = next(n for n in tree.body if isinstance(n, ast.Assign)
                and getattr(n.targets[0], "id", "") == "_EXPORTS")  # fmt: skip
    namespace: dict[str, object] = {}
    exec(compile(ast.Module([node], []), "__init__", "exec"), namespace)
    exports = namespace["_EXPORTS"]
    assert isinstance(exports, dict)
    return exports


EXPORTS = _root_exports()
IO_CALLS = {"open", "exec", "eval", "__import__", "import_module", "read_text", "read_bytes",
            "write_text", "write_bytes", "iterdir", "glob", "rglob", "mkdir", "unlink",
            "rmdir", "touch", "exists", "is_file", "is_dir", "stat", "resolve", "chmod",
            "system", "popen", "getenv", "environ"}  # fmt: skip


def io_calls(path: Path) -> list[str]:
    """Calls (and `os.environ`) that reach the outside world, by name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name: str | None = node.func.id  # open(...), exec(...)
        else:
            name = node.attr if isinstance(node, ast.Attribute) else None  # p.read_text
        if name in IO_CALLS:
            found.append(f"{name} (line {getattr(node, 'lineno', 0)})")
    return found


def is_module(package: str, name: str) -> bool:
    folder = ROOT.joinpath(*package.split("."))
    return (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file()


def ours(used: set[str]) -> set[str]:
    """Our own modules, without the package prefix; `__version__` from the root is not one."""
    inner = {u.removeprefix("gitops_templates.") for u in used if u.startswith("gitops_templates.")}
    return inner - {"__version__"}


def rank(package: str) -> int:
    return BASE_RANKS.get(package, CAPABILITY_RANK)


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_layer_rules(path: Path):
    name = name_of(path)
    used = imports(path)
    roots = {u.split(".")[0] for u in used}
    if not name.startswith("git/"):
        assert "git" not in roots, "only git/ imports GitPython"
    if not name.startswith(("cli/", "__main__")):
        assert "click" not in roots, "only the CLI imports click"
    if is_pure(name):
        stdlib = set(sys.stdlib_module_names) - IO_MODULES
        allowed = (
            stdlib | PURE_THIRD_PARTY | PURE_EXCEPTIONS.get(name, set()) | {"gitops_templates"}
        )
        assert roots <= allowed, f"pure module imports {roots - allowed}"
        impure = {m for m in ours(used) if not is_pure(m)}
        assert not impure, f"pure module imports non-pure modules {impure}"
        assert not io_calls(path), f"pure module does IO: {io_calls(path)}"


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_imports_go_down_the_layers(path: Path):
    """errors < core < git < catalog < capabilities < api < cli; never up."""
    source = package_of(name_of(path))
    for target in {package_of(m) for m in ours(imports(path))} - {source}:
        same_level = rank(source) == rank(target) == CAPABILITY_RANK
        assert rank(target) < rank(source) or same_level, f"{source} imports {target}"


def test_no_cycles_between_packages():
    graph: dict[str, set[str]] = defaultdict(set)
    for path in MODULES:
        source = package_of(name_of(path))
        graph[source] |= {package_of(m) for m in ours(imports(path))} - {source, "__init__"}
    graph.pop("__init__", None)  # the root re-exports the API lazily; nothing imports it back
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        if state.get(node) == 1:
            raise AssertionError("package cycle: " + " -> ".join([*trail, node]))
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        visit(node, [])
    assert {"core", "git", "catalog", "versioning", "compat", "rollback"} <= set(graph)


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_only_the_cli_prints(path: Path):
    if name_of(path).startswith("cli/"):
        return
    tree = ast.parse(path.read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert not [c for c in calls if isinstance(c.func, ast.Name) and c.func.id == "print"]
    streams = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)
               and n.attr in ("stdout", "stderr") and getattr(n.value, "id", "") == "sys"]  # fmt: skip
    assert not streams, "writes to sys.stdout/stderr outside cli/"


def test_pure_modules_have_their_own_unit_tests():
    """Every pure module with code is imported by a test directly, not only through others."""
    tested: set[str] = set()
    for test in (ROOT / "tests").rglob("test_*.py"):
        tested |= ours(imports(test))
    pure = [name_of(p) for p in MODULES if is_pure(name_of(p)) and p.name != "__init__.py"]
    missing = {n for n in pure if n.removesuffix(".py").replace("/", ".") not in tested}
    missing -= {"errors.py"}  # exercised by every error test through the CLI
    assert not missing, f"pure modules no test imports: {sorted(missing)}"


def test_tests_mirror_the_packages():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    test_dirs = {p.name for p in (ROOT / "tests").iterdir() if (p / "__init__.py").is_file()}
    assert test_dirs <= packages, f"test folders without a package: {test_dirs - packages}"
    assert packages - test_dirs == set(), f"packages without tests: {packages - test_dirs}"


def test_modules_and_functions_stay_small():
    sizes = {name_of(p): len(p.read_text().splitlines()) for p in MODULES}
    assert max(sizes.values()) < 450, sizes
    long = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    long.append(f"{name_of(path)}:{node.name} ({length} lines)")
    assert not long, long


def test_the_public_api_is_explicit():
    """`__all__` names Catalog, every result type its methods return and the errors."""
    import inspect

    import gitops_templates
    from gitops_templates.api import Catalog

    exported = set(gitops_templates.__all__)
    assert exported == {"__version__", *gitops_templates._EXPORTS}
    for name in exported:
        assert getattr(gitops_templates, name) is not None, name
    hints = {m: inspect.signature(f).return_annotation for m, f in vars(Catalog).items()
             if callable(f) and not m.startswith("_")}  # fmt: skip
    returned = {h for h in hints.values() if isinstance(h, str) and h[:1].isupper()}
    assert returned <= exported, f"results not exported: {returned - exported}"
    assert (PACKAGE / "py.typed").is_file()


def test_cli_help_does_not_import_heavy_libraries():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom gitops_templates.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\n"
        "print(sorted(m for m in ('git', 'jsonschema', 'jinja2', 'yaml', 'semver',\n"
        "    'gitops_templates.core.models') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_wheel_ships_schemas_doc_templates_and_types(tmp_path: Path):
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "gitops_templates/schemas/template.schema.json" in names
    assert "gitops_templates/schemas/config.schema.json" in names
    assert "gitops_templates/py.typed" in names
    assert "gitops_templates/core/planning.py" in names
    assert any(n.startswith("gitops_templates/doc_templates/") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    points = zipfile.ZipFile(wheel).read(entry).decode()
    assert "gitops-templates = gitops_templates.cli:run" in points
    assert "gtpl = gitops_templates.cli:run" in points


def test_the_installed_hooks_start_without_heavy_imports(tmp_path: Path):
    """`cli.githook commit-msg` (run on every commit) imports no click, jsonschema, jinja2,
    semver or GitPython; from the second commit on, with the config cached, no PyYAML."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "gitops-templates.yaml").write_text("bump_types: {feat: minor, fix: patch}\n")
    message = tmp_path / "MSG"
    message.write_text("fix: a fix\n")
    code = (
        "import os, sys, runpy\nsys.argv = ['githook', 'commit-msg', sys.argv[1]]\n"
        "def stay(status):\n    raise SystemExit(status)\n"
        "os._exit = stay  # the hook leaves with os._exit: stay to list what it imported\n"
        "try:\n    runpy.run_module('gitops_templates.cli.githook', run_name='__main__')\n"
        "except SystemExit as done:\n    assert done.code == 0, done.code\n"
        "heavy = ('click', 'jsonschema', 'jinja2', 'semver', 'git', 'yaml')\n"
        "print(' '.join(sorted(m for m in heavy if m in sys.modules)))"
    )
    loaded = [
        subprocess.run(
            [sys.executable, "-c", code, str(message)],
            cwd=repo,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for _ in range(2)
    ]
    assert loaded == [["yaml"], []]


def test_the_rules_see_io_calls_and_re_exported_names(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom gitops_templates import Catalog\n\n\ndef f(p):\n"
        "    open(p)\n    p.read_text()\n    return os.environ['x'], Catalog\n"
    )
    assert [call.split()[0] for call in io_calls(sample)] == ["open", "read_text", "environ"]
    assert "gitops_templates.api" in imports(sample)
