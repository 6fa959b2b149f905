"""The CLI contract: exit codes, JSON documents, messages with file, path, line and hint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gitops_templates.cli import COMMANDS, main
from tests.conftest import Cli
from tests.helpers import RepoBuilder


def test_help_for_every_subcommand():
    runner = CliRunner()
    top = runner.invoke(main, ["--help"])
    assert top.exit_code == 0
    assert "Exit codes" in top.stdout
    for name in COMMANDS:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert "Usage:" in result.stdout


def test_exit_0_and_python_m(repo: RepoBuilder):
    repo.template("web").commit("feat: web")
    proc = subprocess.run([sys.executable, "-m", "gitops_templates", "--repo", str(repo.path),
                           "status"], capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "web  (unreleased) -> 0.1.0 (minor)" in proc.stdout


def test_exit_2_usage(cli: Cli):
    assert "No such option" in cli("status", "--bogus", code=2).stderr
    assert "No such command" in cli("bogus", code=2).stderr


def test_exit_3_invalid_config_names_file_path_line_and_hint(repo: RepoBuilder, cli: Cli):
    repo.template("web").commit("feat: web")
    repo.write({"gitops-templates.yaml": "tag_format: '{id}@{version}'\ninitial_version: 1.10\n"})
    result = cli("status", code=3)
    assert "gitops-templates.yaml:2: initial_version: 1.1 is not of type 'string'" in result.stderr
    assert "quote it" in result.stderr
    repo.write({"gitops-templates.yaml": "bump_types: {feat: huge}\nunknown_key: 1\n"})
    stderr = cli("plan", code=3).stderr
    assert "bump_types.feat" in stderr
    assert "allowed: major, minor, patch, none" in stderr
    assert "unknown_key" in stderr


def test_exit_3_invalid_yaml_and_bomb(repo: RepoBuilder, cli: Cli):
    repo.template("web").commit("feat: web")
    repo.write({"gitops-templates.yaml": "a: [1\n"})
    assert "gitops-templates.yaml:2: invalid YAML" in cli("status", code=3).stderr
    bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    bomb += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]"
             for i in range(8)]  # fmt: skip
    repo.write({"gitops-templates.yaml": "\n".join(bomb) + "\n"})
    assert "alias bomb" in cli("status", code=3).stderr


def test_a_parameter_bodies_cannot_read_by_its_name_is_a_problem(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace(
        "    replicas:", "    template: {type: string}\n    replicas:"))  # fmt: skip
    problem = cli.json("validate", code=3)["problems"][0]
    assert (problem["rule"], problem["pointer"], problem["line"]) == (
        "reserved-parameter",
        "parameters.properties.template",
        13,
    )
    assert "hidden in bodies" in problem["message"]
    meta.write_text(meta.read_text().replace("    template: {type: string}", "    loop: {}"))
    assert cli.json("validate", code=3)["problems"][0]["message"].startswith(
        "parameter 'loop' is hidden in bodies by the `loop` they get (a Jinja2 name)"
    )


def test_exit_3_validate_template_problems(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    repo.write({"templates/web/template.yaml": (Path(repo.path / "templates/web/template.yaml")
                .read_text().replace("id: web", "id: webb").replace("values: {name: web}",
                "values: {name: 5, extra: true}"))})  # fmt: skip
    repo.write({"templates/web/examples/bad.yaml": "replicas: 0\n"})
    data = cli.json("validate", code=3)
    found = {(p["file"], p["pointer"], p["rule"]) for p in data["problems"]}
    assert ("templates/web/template.yaml", "id", "id-matches-directory") in found
    assert ("templates/web/template.yaml", "examples[0].values.name", "type") in found
    assert ("templates/web/template.yaml", "examples[0].values", "additionalProperties") in found
    assert ("templates/web/examples/bad.yaml", "(document)", "required") in found
    assert ("templates/web/examples/bad.yaml", "replicas", "minimum") in found
    lines = {
        p["pointer"]: p["line"] for p in data["problems"] if p["file"].endswith("template.yaml")
    }
    assert lines["id"] == 2
    text = cli("validate", code=3).stderr
    assert "templates/web/template.yaml:2: id:" in text
    assert "hint: set `id: web` or rename the directory" in text


def test_exit_3_parameters_that_are_not_a_schema(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    path = repo.path / "templates/web/template.yaml"
    path.write_text(path.read_text().replace("type: object", "type: objekt", 1))
    problems = cli.json("validate", code=3)["problems"]
    assert any(
        p["rule"] == "json-schema" and p["pointer"].startswith("parameters") for p in problems
    )


def test_exit_4_git_state(tmp_path: Path, cli: Cli):
    plain = tmp_path / "plain"
    plain.mkdir()
    assert cli("status", code=4, repo=plain).stderr.startswith("Error: ")


def test_exit_5_not_found(repo: RepoBuilder, cli: Cli):
    repo.template("web").commit("feat: web")
    assert "known: web" in cli("status", "nope", code=5).stderr
    assert "no such version" in cli("show", "web@9.9.9", code=5).stderr
    assert "no such version" in cli("show", "web", code=5).stderr


def test_debug_shows_the_traceback(repo: RepoBuilder):
    from gitops_templates.errors import NotFoundError

    repo.template("web").commit("feat: web")
    with pytest.raises(NotFoundError):
        CliRunner().invoke(main, ["--repo", str(repo.path), "--debug", "status", "nope"],
                           catch_exceptions=False)  # fmt: skip


def test_init_and_new_scaffold_a_valid_catalog(repo: RepoBuilder, cli: Cli):
    cli("init")
    assert "already exists" in cli("init", code=3).stderr
    cli("init", "--force")
    written = cli.json("new", "checkout-service")["written"]
    assert "templates/checkout-service/template.yaml" in written
    assert cli.json("validate")["valid"] is True
    assert "not a valid template id" in cli("new", "a@b", code=3).stderr
    assert "not a valid template id" in cli("new", "../x", code=3).stderr
    assert "already exists" in cli("new", "checkout-service", code=3).stderr
    repo.commit("feat(checkout-service): add template")
    assert cli.json("plan")["releases"][0]["tag"] == "checkout-service@0.1.0"


def test_history_show_and_stats(repo: RepoBuilder, cli: Cli):
    repo.template("web").commit("feat: web")
    cli("release")
    repo.write({"templates/web/body.yaml.j2": "a\n"}).commit("fix(web): a")
    repo.clock += 86400
    cli("release")
    repo.write({"templates/web/body.yaml.j2": "b\n"}).commit("feat(web)!: b")
    cli("release")
    history = cli.json("history", "web")
    assert [v["version"] for v in history["versions"]] == ["0.2.0", "0.1.1", "0.1.0"]
    assert history["versions"][0]["compatibility"] == "breaking"
    text = cli("history", "web").stdout
    assert "0.2.0" in text.splitlines()[0]
    shown = cli.json("show", "web@0.1.1")
    assert shown["files"] == ["body.yaml.j2", "template.yaml"]
    assert shown["metadata"]["name"] == "Web"
    assert "### Bug Fixes" in shown["changelog"]
    assert cli.json("show", "web")["version"] == "0.2.0"
    stats = cli.json("stats")["components"][0]
    assert (stats["releases"], stats["bump_mix"]) == (
        3,
        {"initial": 1, "major": 0, "minor": 1, "patch": 1},
    )
    assert stats["lead_time"]["count"] == 3
    assert stats["cadence"]["count"] == 2
    assert "web" in cli("stats").stdout


def test_readme_command_reference_is_current():
    from gitops_templates.cli._reference import BEGIN, END, render_reference, replace_section

    readme = Path(__file__).resolve().parents[2] / "README.md"
    text = readme.read_text()
    assert BEGIN in text
    assert END in text
    assert replace_section(text, render_reference()) == text, (
        "README command reference is stale: run `make readme`"
    )


def test_validate_counts_the_files_that_have_problems(repo: RepoBuilder, cli: Cli):
    repo.template("web").template("api").template("db")
    repo.write({"templates/web/examples/a.yaml": "replicas: 0\n",
                "templates/web/examples/b.yaml": "replicas: -1\n"})  # fmt: skip
    stderr = cli("validate", code=3).stderr
    assert "problem(s) in 2 file(s) (3 checked):" in stderr


def test_no_color_is_honoured(repo: RepoBuilder):
    repo.template("web").commit("feat: web")
    argv = ["--repo", str(repo.path), "status"]
    coloured = CliRunner().invoke(main, argv, color=True)
    plain = CliRunner().invoke(main, argv, color=True, env={"NO_COLOR": "1"})
    assert "\x1b[" in coloured.stdout
    assert "\x1b[" not in plain.stdout
    assert "web" in plain.stdout


def test_help_uses_a_wide_terminal(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "150")
    text = CliRunner().invoke(main, ["--help"], terminal_width=150).stdout
    assert max(len(line) for line in text.splitlines()) > 80
    assert "Current version, unreleased commits and next version per template." in text


def test_progress_appears_after_a_second_and_is_cleared(capsys: pytest.CaptureFixture[str]):
    from gitops_templates.cli._output import Progress

    now = [0.0]
    progress = Progress(clock=lambda: now[0])
    progress("validating", 1, 300)
    assert capsys.readouterr().err == ""  # quick work shows nothing
    now[0] = 1.5
    progress("validating", 150, 300)
    progress("validating", 151, 300)  # within 0.1 s: not redrawn
    assert capsys.readouterr().err == "\r\x1b[2Kvalidating: 150/300"
    now[0] = 2.0
    progress("validating", 300, 300)
    assert capsys.readouterr().err == "\r\x1b[2K"


def test_the_api_reports_progress_of_long_work(repo: RepoBuilder):
    from gitops_templates import Catalog

    repo.template("web").template("api").commit("feat: two")
    seen: list[tuple[str, int, int]] = []
    Catalog(repo.path, progress=lambda *a: seen.append(a)).validate()
    assert seen == [("validating", 0, 2), ("validating", 1, 2), ("validating", 2, 2)]


def test_warnings_name_the_template(capsys: pytest.CaptureFixture[str]):
    from gitops_templates.cli._output import show_notices
    from gitops_templates.core.models import Notice

    show_notices([Notice("c", "escalated to minor", "web"), Notice("c", "escalated to minor", "api"),
                  Notice("c", "web@1.0.0 is not reachable", "web")])  # fmt: skip
    assert capsys.readouterr().err.splitlines() == [
        "warning: web: escalated to minor",
        "warning: api: escalated to minor",
        "warning: web@1.0.0 is not reachable",
    ]


@pytest.mark.parametrize("tid", ["a.", "b.lock", "c..d"])
def test_ids_git_refuses_in_tag_names_are_refused(repo: RepoBuilder, cli: Cli, tid: str):
    repo.write({"gitops-templates.yaml": "tag_format: '{id}/{version}'\n"}).commit("chore: config")
    assert "is not a valid template id" in cli("new", tid, code=3).stderr


def test_a_config_that_is_a_directory_is_an_error_not_no_config(repo: RepoBuilder, cli: Cli):
    repo.template("web").commit("feat: web")
    (repo.path / "gitops-templates.yaml").mkdir()
    assert "is not a regular file" in cli("status", code=3).stderr
    (repo.path / "gitops-templates.yaml").rmdir()
    (repo.path / "conf").mkdir()
    result = cli("--config", str(repo.path / "conf"), "status", code=2)  # click's own check
    assert "is a directory" in result.stderr


def test_control_characters_in_a_rollback_reason_are_refused(repo: RepoBuilder, cli: Cli):
    repo.template("web").commit("feat: web")
    cli("release")
    repo.write({"templates/web/body.yaml.j2": "x\n"}).commit("fix(web): x")
    cli("release")
    before = repo.refs()
    result = cli("rollback", "web", "--to", "0.1.0", "--reason", "\x1b[31mred\x1b[0m", code=3)
    assert "control characters" in result.stderr
    assert repo.refs() == before


def test_docs_in_a_bare_repository_writes_nothing(repo: RepoBuilder, cli: Cli, tmp_path: Path):
    repo.template("web").commit("feat: web")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True)
    before = sorted(p.name for p in bare.iterdir())
    assert "bare repository" in cli("docs", repo=bare, code=4).stderr
    assert sorted(p.name for p in bare.iterdir()) == before
