"""What an adversarial try of `render` found, each now refused: exit 3, nothing written."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.helpers import RepoBuilder


@pytest.fixture
def web(repo: RepoBuilder) -> RepoBuilder:
    repo.template("web")
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="1.0.0")
    return repo


def set_files(repo: RepoBuilder, files: str) -> None:
    meta = repo.path / "templates/web/template.yaml"
    text = meta.read_text()
    meta.write_text(text[: text.index("files:")] + files + text[text.index("examples:") :])


def test_a_planted_temporary_name_does_not_carry_the_write_away(web: RepoBuilder, cli: Cli,
                                                                 tmp_path: Path):  # fmt: skip
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("original")
    (out / ".body.yaml.gitops-templates-tmp").symlink_to(victim)
    cli("render", "web", "--set", "name=x", "-o", str(out))
    assert victim.read_text() == "original"
    assert not (out / "body.yaml").is_symlink()
    assert [p.name for p in out.iterdir() if p.name.endswith(".tmp")] == []


def test_no_target_writes_into_a_git_directory(web: RepoBuilder, cli: Cli, tmp_path: Path):
    set_files(web, "files:\n  - {source: body.yaml.j2, target: .git/config}\n")
    deploy = tmp_path / "deploy"
    (deploy / ".git").mkdir(parents=True)
    result = cli("render", "web", "--set", "name=x", "-o", str(deploy), code=3)
    assert "`.git` directory" in result.stderr
    assert list((deploy / ".git").iterdir()) == []


def test_symlinked_template_and_shared_directories_are_refused(repo: RepoBuilder, cli: Cli,
                                                              tmp_path: Path):  # fmt: skip
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("password")
    repo.template("web", "{% include '_shared/secret' %}\n")
    (repo.path / "templates/_shared").symlink_to(outside)
    result = cli("render", "web", "--set", "name=x", code=3)
    assert "templates/_shared is a symbolic link" in result.stderr
    assert "password" not in result.stdout
    validated = cli("validate", "web", code=3)
    assert "password" not in validated.stdout + validated.stderr
    (repo.path / "templates/_shared").unlink()
    real = tmp_path / "real-web"
    (repo.path / "templates/web").rename(real)
    (repo.path / "templates/web").symlink_to(real)
    assert "is a symbolic link" in cli("render", "web", "--set", "name=x", code=3).stderr
    validated = cli("validate", code=3)
    assert "is a symbolic link" in validated.stdout + validated.stderr


def test_an_alias_bomb_in_mapping_keys_is_refused_at_once(web: RepoBuilder, cli: Cli,
                                                         tmp_path: Path):  # fmt: skip
    text = "name: shop\n? &a0 [x, x, x, x, x, x, x, x, x, x]\n: 0\n"
    for i in range(1, 8):
        text += f"? &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + f"]\n: {i}\n"
    (tmp_path / "bomb.yaml").write_text(text)
    start = time.monotonic()
    result = cli("render", "web", "-f", str(tmp_path / "bomb.yaml"), code=3)
    assert time.monotonic() - start < 5  # the key graph is never printed or expanded
    assert "a mapping key must be a plain value" in result.stderr


def test_a_huge_blob_is_refused_before_it_is_read(web: RepoBuilder, cli: Cli):
    web.write({"templates/_shared/huge.txt": "b" * (9 * 1024 * 1024)})
    web.commit("feat: huge")
    result = cli("render", "web@HEAD", "--set", "name=x", code=3)
    assert "templates/_shared/huge.txt is larger than" in result.stderr


def test_unique_items_and_slow_patterns_are_bounded(web: RepoBuilder, cli: Cli):
    set_files(web, "files:\n  - {source: body.json.j2, target: body.json, "
                   "output_schema: out.json}\n")  # fmt: skip
    web.write({"templates/web/body.json.j2": "{{ range(20000) | list | tojson }}",
               "templates/web/out.json": json.dumps({"type": "array", "uniqueItems": True})})  # fmt: skip
    start = time.monotonic()
    cli("render", "web", "--set", "name=x")
    assert time.monotonic() - start < 10  # quadratic: minutes
    web.write({"templates/web/out.json": json.dumps(
        {"type": "array", "items": {"pattern": "^(a|a)*$"}})})  # fmt: skip
    web.write(
        {"templates/web/body.json.j2": '{{ (["aaaaaaaaaaaaaaaaaaaaaaaaa!"] * 500) | tojson }}'}
    )
    start = time.monotonic()
    assert "takes more than" in cli("render", "web", "--set", "name=x", code=3).stderr
    assert time.monotonic() - start < 10  # one budget for all 500 matches, not 500 budgets


@pytest.mark.parametrize(
    ("body", "message"),
    [('x: "{{ "\\ud800" }}"\n', "not Unicode"), ("{{ self }}", "")],
)
def test_bodies_that_used_to_crash(web: RepoBuilder, cli: Cli, body: str, message: str):
    web.template("web", body)
    result = cli("render", "web", "--set", "name=x", "--json", code=3 if message else 0)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_file_system_errors_and_deep_values_are_input_errors(web: RepoBuilder, cli: Cli,
                                                              tmp_path: Path):  # fmt: skip
    (tmp_path / "file").write_text("")
    assert "is a file" in cli("render", "web", "--set", "name=x", "-o",
                               str(tmp_path / "file"), code=2).stderr  # fmt: skip
    assert "cannot be written" in cli("render", "web", "--set", "name=x", "-o",
                                      str(tmp_path / "file" / "x"), code=3).stderr  # fmt: skip
    deep = "[" * 200 + "]" * 200
    assert "nest more than 64" in cli("render", "web", "--set", f"d={deep}", code=3).stderr
    (tmp_path / "big.yaml").write_text("name: x\nn: 1" + "0" * 5000 + "\n")
    assert "a value cannot be read" in cli("render", "web", "-f", str(tmp_path / "big.yaml"),
                                           code=3).stderr  # fmt: skip


def test_an_old_version_renders_after_templates_moved(web: RepoBuilder, cli: Cli):
    web.run("mv", "templates", "tpl")
    web.write({"gitops-templates.yaml": "templates_dir: tpl\n"})
    web.commit("refactor: move the templates")
    rendered = json.loads(cli("render", "web@1.0.0", "--set", "name=x", "--json").stdout)
    assert rendered == {"body.yaml": "name: x\n"}


def test_template_version_is_the_canonical_version(web: RepoBuilder, cli: Cli):
    web.template("web", "v={{ template.version }}\n")
    web.commit("feat(web): version")
    web.tag("web@1.1.0", message="1.1.0")
    for spec in ("1.1.0", "v1.1.0", "web@1.1.0"):
        assert cli("render", f"web@{spec}", "--set", "name=x").stdout.endswith("v=1.1.0\n")
    assert cli("render", "web@HEAD", "--set", "name=x").stdout.endswith("v=\n")
    assert cli("render", "web", "--set", "name=x").stdout.endswith("v=\n")


@pytest.mark.parametrize(
    "files",
    [
        "files: 5\n",
        "files: [1, null]\n",
        "files:\n  - {source: body.yaml.j2, target: 5}\n",
        "files:\n  - {source: body.yaml.j2, target: b, output_schema: 5}\n",
    ],
)
def test_render_validates_template_yaml_first(web: RepoBuilder, cli: Cli, files: str):
    set_files(web, files)
    assert "templates/web/template.yaml is not valid" in cli(
        "render", "web", "--set", "name=x", code=3).stderr  # fmt: skip


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": 1, "a": 2}', "Infinity"])
def test_json_outputs_are_strict_json(web: RepoBuilder, cli: Cli, text: str):
    set_files(web, "files:\n  - {source: body.json.j2, target: body.json}\n")
    web.write({"templates/web/body.json.j2": text})
    assert "not valid JSON" in cli("render", "web", "--set", "name=x", code=3).stderr


def test_a_set_value_is_blamed_on_the_set(web: RepoBuilder, cli: Cli, tmp_path: Path):
    (tmp_path / "v.yaml").write_text("name: x\nreplicas: 2\n")
    result = cli("render", "web", "-f", str(tmp_path / "v.yaml"), "--set", "replicas=0", code=3)
    assert "--set replicas: replicas: 0 is less than the minimum" in result.stderr
