"""`shadow`: two versions over one corpus, differences grouped by shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops_templates import Catalog
from gitops_templates.testing.core.divergence import describe, diff_shape, group_key, unified
from tests.conftest import Cli
from tests.helpers import RepoBuilder

ENUM_SCHEMA = """\
apiVersion: gitops-templates/v1
id: web
name: Web
description: web test template.
parameters:
  type: object
  additionalProperties: false
  required: [name, tier]
  properties:
    name: {type: string, enum: [a, b, c]}
    tier: {type: string, enum: [free, gold]}
examples:
  - name: default
    values: {name: a, tier: free}
"""
V1 = "name: {{ name }}\n{% if tier == 'gold' %}\nsupport: business-hours\n{% endif %}\n"
V2 = "name: {{ name }}\n{% if tier == 'gold' %}\nsupport: 24x7\n{% endif %}\n"


@pytest.fixture
def two_versions(repo: RepoBuilder) -> RepoBuilder:
    """1.0.0 and 1.1.0 differ only inside the `gold` branch of an `{% if %}`."""
    repo.write({"templates/web/template.yaml": ENUM_SCHEMA, "templates/web/body.yaml.j2": V1})
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="1.0.0")
    repo.write({"templates/web/body.yaml.j2": V2})
    repo.commit("feat(web): round the clock")
    repo.tag("web@1.1.0", message="1.1.0")
    return repo


def test_exactly_the_inputs_taking_the_changed_branch_diverge(two_versions: RepoBuilder):
    report = Catalog(two_versions.path).shadow("web", "1.0.0", "1.1.0", simulate=40, seed=3)
    [group] = report.groups
    assert group.shape == "body.yaml: line 2 replaced"
    assert group.count == report.diverged
    assert report.compared == 6  # the six distinct (name, tier) pairs
    values = {(v["name"], v["tier"]) for _, v in _inputs(two_versions, group.inputs)}
    assert values == {("a", "gold"), ("b", "gold"), ("c", "gold")}
    assert report.divergence_rate == 0.5
    assert "-support: business-hours\n+support: 24x7\n" in group.diff


def test_the_branch_takers_are_one_group_when_optional_blocks_move_the_branch(repo: RepoBuilder):
    above = "{% if name == 'b' %}\nbeta: true\nowner: team-b\n{% endif %}\n"
    repo.write({"templates/web/template.yaml": ENUM_SCHEMA,
                "templates/web/body.yaml.j2": above + V1})  # fmt: skip
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="1.0.0")
    repo.write({"templates/web/body.yaml.j2": above + V2})
    repo.commit("feat(web): round the clock")
    report = Catalog(repo.path).shadow("web", "1.0.0", "HEAD", simulate=40, seed=3)
    [group] = report.groups  # line 2 for names a and c, line 4 for b: one kind of change
    assert group.count == report.diverged == 3


def _inputs(repo: RepoBuilder, labels: tuple[str, ...]) -> list[tuple[str, dict[str, str]]]:
    """The values behind labels, from a JSON run of the same command."""
    from gitops_templates.testing.corpus import deduplicated
    from gitops_templates.testing.shadow import _generated, _side

    ws = Catalog(repo.path).workspace
    sides = [_side(ws, "web", spec)[0] for spec in ("1.0.0", "1.1.0")]
    pool = dict(deduplicated(_generated(sides, 40, 3, [])))
    pool["example default (1.0.0)"] = {"name": "a", "tier": "free"}
    return [(label, pool[label]) for label in labels]


def test_identical_versions_do_not_diverge_and_fail_on_diff(two_versions: RepoBuilder, cli: Cli):
    same = cli.json("shadow", "web", "--champion", "1.1.0", "--challenger", "HEAD")
    assert (same["diverged"], same["groups"]) == (0, [])
    result = cli("shadow", "web", "--champion", "1.0.0", "--challenger", "1.1.0",
                 "--simulate", "30", "--fail-on-diff", code=1)  # fmt: skip
    assert "group 1:" in result.stdout
    assert "body.yaml: line 2 replaced" in result.stdout


def test_inputs_valid_under_one_version_are_listed(repo: RepoBuilder, tmp_path: Path, cli: Cli):
    repo.write({"templates/web/template.yaml": ENUM_SCHEMA, "templates/web/body.yaml.j2": V1})
    repo.commit("feat(web): first")
    repo.tag("web@1.0.0", message="1.0.0")
    repo.write({"templates/web/template.yaml": ENUM_SCHEMA.replace("[a, b, c]", "[a, b]")})
    repo.commit("feat(web)!: drop c")
    corpus = tmp_path / "consumers"
    corpus.mkdir()
    (corpus / "c.yaml").write_text("template: web\nversion: 1.0.0\nvalues: {name: c, tier: free}\n")
    (corpus / "other.yaml").write_text("template: api\nvalues: {name: c}\n")
    report = cli.json("shadow", "web", "--champion", "1.0.0", "--challenger", "HEAD",
                      "--corpus", str(corpus))  # fmt: skip
    assert report["only_champion"] == ["corpus c.yaml"]
    assert report["only_challenger"] == []
    assert report["inputs"] == 2


def test_a_version_that_fails_to_render_an_input_diverges(two_versions: RepoBuilder, cli: Cli):
    two_versions.write({"templates/web/body.yaml.j2": "{{ name }}: {{ nope }}\n"})
    report = cli.json("shadow", "web", "--champion", "1.1.0")
    assert report["challenger"] == "work tree"
    assert report["diverged"] == 1
    assert report["failures"][0]["version"] == "work tree"
    assert "'nope' is undefined" in report["failures"][0]["message"]


def test_groups_ignore_values_and_positions_but_not_keys():
    a = {"f": "name: a\nx: 1\n"}
    assert group_key(a, {"f": "name: a\nx: 2\n"}) == group_key(a, {"f": "name: a\nx: 3\n"})
    assert group_key(a, {"f": "name: b\nx: 1\n"}) != group_key(a, {"f": "name: a\nx: 3\n"})
    moved = {"f": "extra: 1\nname: a\nx: 1\n"}
    assert group_key(moved, {"f": "extra: 1\nname: a\nx: 9\n"}) == group_key(
        a, {"f": "name: a\nx: 2\n"}
    )
    assert diff_shape(a, {"f": "name: a\nx: 2\n"}) != diff_shape(
        moved, {"f": "extra: 1\nname: a\nx: 9\n"}
    )
    assert diff_shape(a, a) == () == group_key(a, a)
    shape = diff_shape({"f": "a\n", "g": "x"}, {"f": "a\nb\n", "h": "y"})
    assert describe(shape) == ("f: line 2 inserted; g dropped; h only from the challenger")
    assert "+b\n" in unified({"f": "a\n"}, {"f": "a\nb\n"}, ("1", "2"))
