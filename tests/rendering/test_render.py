"""`render` on real repositories: versions from Git objects, values, defaults, outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitops_templates import Catalog, InvalidInputError
from tests.conftest import Cli
from tests.helpers import RepoBuilder

BODY = "name: {{ name }}\nreplicas: {{ replicas }}\n"


@pytest.fixture
def released(repo: RepoBuilder) -> RepoBuilder:
    """web@1.0.0 renders `BODY` with `_shared/labels.j2`; the work tree has moved on since."""
    repo.template("web", "{% include '_shared/labels.j2' %}\n" + BODY)
    repo.write({"templates/_shared/labels.j2": "team: platform\n"})
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="web 1.0.0")
    repo.write({"templates/web/body.yaml.j2": "renamed: {{ name }}\n",
                "templates/_shared/labels.j2": "team: changed\n"})  # fmt: skip
    repo.commit("feat(web)!: rename")
    repo.write({"templates/web/body.yaml.j2": "work tree: {{ name }}\n"})
    return repo


def test_a_tagged_version_renders_the_bytes_of_its_tag(released: RepoBuilder, cli: Cli):
    expected = "team: platform\nname: web\nreplicas: 1\n"
    for spec in ("web@1.0.0", "web@v1.0.0", "web@web@1.0.0"):
        assert cli("render", spec, "--set", "name=web").stdout == f"==> body.yaml <==\n{expected}"
    head = cli("render", "web@HEAD", "--set", "name=web", "--json").stdout
    assert json.loads(head) == {"body.yaml": "renamed: web\n"}
    work = cli("render", "web", "--set", "name=web", "--json").stdout
    assert json.loads(work) == {"body.yaml": "work tree: web\n"}


def test_the_api_returns_a_dict_of_paths(released: RepoBuilder):
    result = Catalog(released.path).render("web", "1.0.0", {"name": "api", "replicas": 3})
    assert result == {"body.yaml": "team: platform\nname: api\nreplicas: 3\n"}
    assert json.loads(json.dumps(result)) == result  # a plain dict: JSON as it is
    assert result.revision == released.run("rev-parse", "web@1.0.0^{commit}").strip()
    assert result.inputs == {"name": "api", "replicas": 3}


def test_value_files_merge_in_order_and_set_wins(released: RepoBuilder, cli: Cli, tmp_path: Path):
    (tmp_path / "a.yaml").write_text("name: a\nreplicas: 2\n")
    (tmp_path / "b.yaml").write_text("name: b\n")
    args = ["render", "web@1.0.0", "-f", str(tmp_path / "a.yaml"), "-f", str(tmp_path / "b.yaml")]
    assert "name: b\nreplicas: 2\n" in cli(*args).stdout
    assert "replicas: 5\n" in cli(*args, "--set", "replicas=5").stdout


def test_invalid_values_name_the_file_line_pointer_and_rule(
    released: RepoBuilder, cli: Cli, tmp_path: Path
):
    values = tmp_path / "values.yaml"
    values.write_text("name: web\nreplicas: 0\n")
    result = cli("render", "web@1.0.0", "-f", str(values), code=3)
    assert f"{values}:2: replicas: 0 is less than the minimum of 1 [minimum]" in result.stderr
    result = cli("render", "web@1.0.0", "--set", "replicas='3'", "--set", "name=w", code=3)
    assert "replicas: '3' is not of type 'integer' [type]" in result.stderr
    assert "Traceback" not in result.stderr
    assert cli("render", "web@1.0.0", "--set", "noequals", code=3).stderr.count("KEY=VALUE") == 1


def test_unknown_versions_and_templates_are_not_found(released: RepoBuilder, cli: Cli):
    assert "web@9.9.9: no such version or revision" in cli("render", "web@9.9.9", code=5).stderr
    assert "nope@1.0.0: no such version" in cli("render", "nope@1.0.0", code=5).stderr
    assert "does not exist" in cli("render", "nope", code=5).stderr
    assert "not a template id" in cli("render", "../web", code=3).stderr


def test_output_dir_receives_the_files_and_refuses_symlinks_out(
    released: RepoBuilder, cli: Cli, tmp_path: Path
):
    out = tmp_path / "out"
    mask = os.umask(0o022)
    try:
        cli("render", "web@1.0.0", "--set", "name=x", "-o", str(out))
        assert (out / "body.yaml").read_text().endswith("name: x\nreplicas: 1\n")
        assert (out / "body.yaml").stat().st_mode & 0o777 == 0o644  # as any new file
        (out / "body.yaml").chmod(0o600)
        cli("render", "web@1.0.0", "--set", "name=y", "-o", str(out))
        assert (out / "body.yaml").stat().st_mode & 0o777 == 0o600  # a rewrite keeps its mode
    finally:
        os.umask(mask)
    outside = tmp_path / "outside"
    outside.mkdir()
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "body.yaml").symlink_to(outside / "stolen")
    result = cli("render", "web@1.0.0", "--set", "name=x", "-o", str(linked), code=3)
    assert "symbolic link" in result.stderr
    assert not (outside / "stolen").exists()


@pytest.mark.parametrize("target", ["../escape.yaml", "/tmp/abs.yaml", "a/../../b"])
def test_targets_leaving_the_output_directory_are_refused(repo: RepoBuilder, cli: Cli, target: str):
    repo.template("web")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace("target: body.yaml", f"target: {target!r}"))
    result = cli("render", "web", "--set", "name=x", code=3)
    assert target in result.stderr  # refused by template.yaml's schema, before any render


@pytest.mark.parametrize(
    ("target", "why"),
    [
        (".git/config", "into a `.git` directory"),
        ("x/.GIT /hooks/pre-commit", "`.git`"),
        ("a\nb", "control character"),
        ("out", "also a directory of 'out/x'"),
    ],
)
def test_targets_the_schema_allows_are_still_checked(repo: RepoBuilder, target: str, why: str):
    from gitops_templates.rendering.render import render_bodies
    from gitops_templates.rendering.source import TemplateSource

    files = [{"source": "a.j2", "target": target}, {"source": "a.j2", "target": "out/x"}]
    source = TemplateSource("web", "templates/web", {"a.j2": b"x"})
    with pytest.raises(InvalidInputError, match="refused") as raised:
        render_bodies(source, {"files": files}, {}, None)
    assert why in str(raised.value.problems)


def test_includes_reach_only_the_template_and_shared(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    repo.template("other", "secret")
    repo.write({"templates/web/secret.txt": "own file"})
    for include, code in (("secret.txt", 0), ("../other/body.yaml.j2", 3),
                          ("/etc/passwd", 3), ("templates/other/body.yaml.j2", 3)):  # fmt: skip
        repo.write({"templates/web/body.yaml.j2": f"{{% include {include!r} %}}\n"})
        result = cli("render", "web", "--set", "name=x", code=code)
        assert ("own file" in result.stdout) if code == 0 else "not found" in result.stderr


def test_symlinks_are_never_followed(repo: RepoBuilder, cli: Cli, tmp_path: Path):
    repo.template("web", "{% include 'link.txt' %}")
    (tmp_path / "secret").write_text("password")
    (repo.path / "templates/web/link.txt").symlink_to(tmp_path / "secret")
    result = cli("render", "web", "--set", "name=x", code=3)
    assert "symbolic link" in result.stderr
    assert "password" not in result.stdout
    (repo.path / "templates/web/link.txt").unlink()
    (repo.path / "templates/web/link.txt").symlink_to("body.yaml.j2")
    repo.commit("feat(web): link")
    result = cli("render", "web@HEAD", "--set", "name=x", code=3)
    assert "symbolic link" in result.stderr


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ namespace.__init__.__globals__ }}",
        "{% set x = [] %}{{ x.append(1) }}",
        "{{ config.items() }}",
        "{{ request.application.__globals__ }}",
        "{{ ().__class__.__base__.__subclasses__() }}",
        "{{ (1).__class__.__mro__ }}",
    ],
)
def test_known_sandbox_escapes_fail_with_exit_3(repo: RepoBuilder, cli: Cli, payload: str):
    repo.template("web", payload)
    result = cli("render", "web", "--set", "name=x", code=3)
    assert "templates/web/body.yaml.j2" in result.stderr
    assert "uid=" not in result.stdout
    assert "Traceback" not in result.stderr


def test_undefined_values_and_runaway_bodies_are_errors(repo: RepoBuilder, cli: Cli):
    repo.template("web", "a\n{{ missing }}\n")
    assert "templates/web/body.yaml.j2:2: 'missing' is undefined" in cli(
        "render", "web", "--set", "name=x", code=3).stderr  # fmt: skip
    for body in (
        "ports: {{ [8080, prot] }}\n",
        "{{ {'a': [prot]} | to_yaml }}",
        "{{ {'a': prot} | to_json }}",
    ):  # not `[8080, Undefined]`, not a traceback
        repo.template("web", body)
        assert "'prot' is undefined" in cli("render", "web", "--set", "name=x", code=3).stderr
    repo.template("web", "{{ {'me': self} | to_yaml }}")
    assert "to_yaml cannot write" in cli("render", "web", "--set", "name=x", code=3).stderr
    repo.template("web", "{% for i in range(10**9) %}x{% endfor %}")
    assert "more than 100000 items" in cli("render", "web", "--set", "name=x", code=3).stderr
    repo.template("web", "{{ 'x' * 10**8 }}")
    assert "more than" in cli("render", "web", "--set", "name=x", code=3).stderr


def test_rendered_yaml_and_json_must_parse_and_match_their_output_schema(
    repo: RepoBuilder, cli: Cli
):
    repo.template("web", "a: [unclosed\n")
    result = cli("render", "web", "--set", "name=x", code=3)
    assert "web: body.yaml:2: rendered output is not valid YAML" in result.stderr
    repo.template("web", "kind: Service\n---\nkind: {{ name }}\nreplicas: {{ replicas }}\n")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace("target: body.yaml", "target: body.yaml\n"
                                             "    output_schema: out.schema.json"))  # fmt: skip
    repo.write({"templates/web/out.schema.json": json.dumps({
        "type": "object", "required": ["kind"],
        "properties": {"kind": {"enum": ["Service", "Deployment"]}}})})  # fmt: skip
    assert cli("render", "web", "--set", "name=Deployment").stdout.count("kind:") == 2
    result = cli("render", "web", "--set", "name=Pod", code=3)
    assert "body.yaml (document 2):3: kind: 'Pod' is not one of" in result.stderr
    assert "output_schema out.schema.json" in result.stderr


def test_templates_without_files_render_every_j2(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    meta = repo.path / "templates/web/template.yaml"
    text = meta.read_text()
    meta.write_text(text[: text.index("files:")] + text[text.index("examples:") :])
    repo.write({"templates/web/k8s/svc.json.j2": '{"name": {{ name | tojson }}}\n',
                "templates/web/_macros.j2": "{% macro x() %}x{% endmacro %}"})  # fmt: skip
    rendered = json.loads(cli("render", "web", "--set", "name=a", "--json").stdout)
    assert rendered == {"body.yaml": "name: a\n", "k8s/svc.json": '{"name": "a"}\n'}
    cli("validate", "web")


def test_validate_renders_every_example(repo: RepoBuilder, cli: Cli):
    repo.template("web", "{% if replicas > 1 %}{{ undefined_thing }}{% endif %}ok\n")
    repo.write({"templates/web/examples/big.yaml": "name: web\nreplicas: 3\n"})
    result = cli("validate", "web", code=3)
    assert (
        "example examples/big.yaml: 'undefined_thing' is undefined" in result.stdout + result.stderr
    )
    repo.write({"templates/web/examples/big.yaml": "name: web\nreplicas: 1\n"})
    cli("validate", "web")


def test_a_version_checked_before_renders_without_checking_its_metadata_again(
    released: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    """The clean verdict is remembered by blob id: a later process checks nothing again."""
    from gitops_templates.rendering import render

    checks: list[int] = []
    real = render._metadata_problems

    def counted(doc: object) -> object:
        checks.append(1)
        return real(doc)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "_metadata_problems", counted)
    outputs = []
    for _ in (1, 2):
        monkeypatch.setattr(render, "_METADATA", {})  # what a new process starts with
        outputs.append(Catalog(released.path).render("web", "1.0.0", {"name": "x"}))
    assert outputs[0] == outputs[1]
    assert checks == [1]  # the first render checked it, the second trusted the verdict
    args = [sys.executable, "-X", "importtime", "-m", "gitops_templates", "--repo",
            str(released.path), "render", "web@1.0.0", "--set", "name=x"]  # fmt: skip
    run = subprocess.run(args, capture_output=True, text=True, check=True)
    assert "jsonschema" not in {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
    meta = released.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace("name: Web", "name: 5\nnope: 1"))
    result = subprocess.run([sys.executable, "-m", "gitops_templates", "--repo", str(released.path), "render", "web", "--set", "name=x"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 3  # other bytes: checked again
