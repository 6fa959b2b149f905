"""Layer rules (DESIGN §5), checked by reading every module's imports."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gitops_templates"
PURE = {"core/models", "core/conventional", "core/version_rules", "core/graph", "core/attribution",
        "core/changelog", "core/digest", "core/tags", "core/planning", "core/cadence",
        "rollback/core/stats", "errors", "compat/core/__init__", "compat/core/rules",
        "compat/core/deref", "compat/core/shapes", "compat/core/samples", "compat/core/schemadiff",
        "compat/core/objects", "compat/core/composition", "compat/core/scalars",
        "compat/core/metadata", "compat/core/witness"}  # fmt: skip
THIRD_PARTY_IN_PURE = {"semver"}
# witness checks counterexamples with jsonschema: computation on values, no IO
THIRD_PARTY_ALLOWED = {"compat/core/witness": {"jsonschema"}}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layer_rules(path: Path):
    name = path.relative_to(PACKAGE).with_suffix("").as_posix()
    used = imports(path)
    roots = {u.split(".")[0] for u in used}
    if not name.startswith("git/"):
        assert "git" not in roots, "only git/ imports GitPython"
    if not name.startswith(("cli", "__main__")):
        assert "click" not in roots, "only the CLI imports click"
        assert not any(u.startswith("gitops_templates.cli") for u in used)
    if name in PURE:
        stdlib = set(sys.stdlib_module_names)
        outside = {r for r in roots if r not in stdlib and r != "gitops_templates"}
        allowed_outside = THIRD_PARTY_IN_PURE | THIRD_PARTY_ALLOWED.get(name, set())
        assert outside <= allowed_outside, f"pure core imports {outside}"
        ours = {u for u in used if u.startswith("gitops_templates.")}
        allowed = {
            f"gitops_templates.{m.replace('/', '.')}".removesuffix(".__init__") for m in PURE
        }
        assert ours <= allowed, f"pure core imports adapters: {ours - allowed}"
        assert "subprocess" not in roots


def test_modules_stay_small():
    sizes = {p.name: len(p.read_text().splitlines()) for p in MODULES}
    assert max(sizes.values()) < 450, sizes


def test_cli_help_does_not_import_heavy_libraries():
    code = (
        "import sys\nfrom click.testing import CliRunner\nfrom gitops_templates.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\n"
        "print(sorted(m for m in ('git', 'jsonschema', 'jinja2', 'yaml', 'semver') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_wheel_ships_schemas_and_doc_templates(tmp_path: Path):
    root = PACKAGE.parent
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(root)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "gitops_templates/schemas/template.schema.json" in names
    assert "gitops_templates/schemas/config.schema.json" in names
    assert any(n.startswith("gitops_templates/doc_templates/") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    points = zipfile.ZipFile(wheel).read(entry).decode()
    assert "gitops-templates = gitops_templates.cli:main" in points
    assert "gtpl = gitops_templates.cli:main" in points


def test_the_installed_hooks_start_without_heavy_imports(tmp_path: Path):
    """`cli.githook commit-msg` (run on every commit) imports no click, jsonschema, jinja2,
    semver or GitPython; from the second commit on, with the config cached, no PyYAML."""
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "gitops-templates.yaml").write_text("bump_types: {feat: minor, fix: patch}\n")
    message = tmp_path / "MSG"
    message.write_text("fix: a fix\n")
    code = (
        "import sys, runpy\nsys.argv = ['githook', 'commit-msg', sys.argv[1]]\n"
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
