"""Reachability masks and commit attribution, table-driven."""

from __future__ import annotations

import pytest

from gitops_templates.core.attribution import Attributor, build_include_graph, referenced_names
from gitops_templates.core.conventional import parse_message
from gitops_templates.core.graph import containment
from gitops_templates.core.models import Component

# a - b - c (main)      d branches from b, merged as m
#      \ d /
ORDER = [("m", ("c", "d")), ("c", ("b",)), ("d", ("b",)), ("b", ("a",)), ("a", ())]


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ({"m": 1}, {"m": 1, "c": 1, "d": 1, "b": 1, "a": 1}),
        ({"c": 1}, {"c": 1, "b": 1, "a": 1}),
        ({"d": 2, "c": 1}, {"c": 1, "d": 2, "b": 3, "a": 3}),
        ({"a": 4}, {"a": 4}),
        ({}, {}),
    ],
)
def test_containment(marks: dict[str, int], expected: dict[str, int]):
    assert containment(ORDER, marks) == expected


SOURCES = [
    ("{% include 'a.j2' %}", ["a.j2"], False),
    ('{%- include "_shared/x.j2" -%}', ["_shared/x.j2"], False),
    ("{% import 'macros.j2' as m %}", ["macros.j2"], False),
    ("{% from '_shared/m.j2' import f %}", ["_shared/m.j2"], False),
    ("{% extends 'base.j2' %}", ["base.j2"], False),
    ("{% include ['a.j2', \"b.j2\"] ignore missing %}", ["a.j2", "b.j2"], False),
    ("{% include name ~ '.j2' %}", [], True),
    ("{{ include }} plain text", [], False),
]


@pytest.mark.parametrize(("source", "names", "dynamic"), SOURCES)
def test_referenced_names(source: str, names: list[str], dynamic: bool):
    assert referenced_names(source) == (names, dynamic)


COMPONENTS = [
    Component("web", "templates/web", "{id}@{version}"),
    Component("db", "templates/db", "{id}@{version}"),
    Component("app", "packages/app", "{id}@{version}", kind="component"),
]


def graph():
    sources = {
        "templates/web/body.j2": "{% include '_shared/header.j2' %}",
        "templates/db/body.j2": "{% include 'partials/local.j2' %}",
        "templates/db/partials/local.j2": "{% import '_shared/macros.j2' as m %}",
        "templates/_shared/header.j2": "{% include '_shared/footer.j2' %}",
        "templates/_shared/footer.j2": "x",
        "templates/_shared/macros.j2": "y",
        "templates/_shared/unused.j2": "z",
    }
    return build_include_graph("templates", ["web", "db"], sources)


@pytest.mark.parametrize(
    ("files", "targets"),
    [
        (["templates/web/body.j2"], {"web"}),
        (["templates/web/x/y/z.txt", "templates/db/t.yaml"], {"web", "db"}),
        (["packages/app/src/main.py"], {"app"}),
        (["README.md", "templates/webx/a"], set()),
        (["templates/_shared/footer.j2"], {"web"}),  # transitive through header.j2
        (["templates/_shared/macros.j2"], {"db"}),  # through a template-local partial
        (["templates/_shared/unused.j2"], set()),
    ],
)
def test_attribution_by_path_and_includes(files: list[str], targets: set[str]):
    attributor = Attributor(COMPONENTS, shared_prefix="templates/_shared/", graph=graph)
    assert attributor.by_path(files) == targets


def test_dynamic_include_depends_on_every_partial():
    sources = {"templates/web/b.j2": "{% include var %}", "templates/_shared/a.j2": "a"}
    g = build_include_graph("templates", ["web"], sources)
    assert g.dependents("templates/_shared/a.j2") == {"web"}


def test_a_template_uses_only_its_own_sources_not_those_of_a_longer_id():
    sources = {
        "templates/web/b.j2": "{% include '_shared/a.j2' %}",
        "templates/web-api/deep/c.j2": "{% include '_shared/b.j2' %}",
        "templates/web.j2": "{% include '_shared/c.j2' %}",  # beside the templates
        "templates/_shared/a.j2": "a", "templates/_shared/b.j2": "b",
        "templates/_shared/c.j2": "c",
    }  # fmt: skip
    g = build_include_graph("templates", ["web", "web-api"], sources)
    assert g.uses == {"web": {"templates/_shared/a.j2"}, "web-api": {"templates/_shared/b.j2"}}


def test_named_targets_and_scope_mismatch():
    attributor = Attributor(COMPONENTS)
    message = parse_message("fix(db): x\n\nTemplate: app, nope\nRelease-As: web@2.0.0")
    named, notices = attributor.named_targets("abc", message)
    assert named == {"app", "web"}
    assert [n.subject for n in notices] == ["nope"]
    assert attributor.scope_notice("abc", message, {"web", "app"}) is not None
    assert attributor.scope_notice("abc", message, {"db"}) is None
    assert attributor.scope_notice("abc", parse_message("fix(other): x"), {"web"}) is None


def test_generated_docs_belong_to_no_template():
    web = Component("web", "templates/web", "{id}@{version}")
    attributor = Attributor([web], generated=["templates/web/README.md"])
    assert attributor.by_path(["templates/web/README.md"]) == set()
    assert attributor.by_path(["templates/web/README.md", "templates/web/a.j2"]) == {"web"}
    assert attributor.by_path(["templates/web/docs/README.md"]) == {"web"}


@pytest.mark.parametrize("body", ["{% include " * 30_000, "{% include '" * 30_000,
                                  "{%- include [" * 30_000, "{% include 'a' %}{%" * 20_000])  # fmt: skip
def test_the_include_scanner_is_linear_on_unclosed_statements(body: str):
    import time

    start = time.monotonic()
    referenced_names(body)
    assert time.monotonic() - start < 2.0  # took over a minute with a spanning regex
