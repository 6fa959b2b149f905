"""Hostile doc-template overrides end in exit 3 naming the template, quickly, with no traceback."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from gitops_templates.catalog.resources import resource_dir
from gitops_templates.docs.render import DocRenderer
from gitops_templates.errors import ExitCode, InvalidInputError
from gitops_templates.rendering import sandbox
from tests.conftest import Cli
from tests.helpers import RepoBuilder

NAME = "template.md.j2"
NESTED_LOOPS = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"
MACRO = "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}"


def renderer(tmp_path: Path, files: dict[str, str]) -> tuple[DocRenderer, Path]:
    override = tmp_path / "over"
    override.mkdir(exist_ok=True)
    for name, text in files.items():
        (override / name).write_text(text)
    return DocRenderer(resource_dir("doc_templates"), override), override


def refused(tmp_path: Path, files: dict[str, str], within: float = 15.0) -> InvalidInputError:
    """The error rendering `template.md.j2` raises, checked for what every refusal shares."""
    docs, override = renderer(tmp_path, files)
    start = time.monotonic()
    with pytest.raises(InvalidInputError) as info:
        docs.render(NAME, {"t": {}})
    elapsed = time.monotonic() - start
    assert elapsed < within, f"{elapsed:.1f} s"
    err = info.value
    assert err.exit_code == ExitCode.INVALID_INPUT
    assert err.message.startswith(f"doc template {NAME}: ")
    assert "\n" not in err.message
    assert len(err.problems) == 1
    assert str(err.problems[0].file).startswith(f"{override}/")
    return err


def test_nested_loops_stop_at_the_output_cap_or_the_budget(tmp_path: Path):
    err = refused(tmp_path, {NAME: NESTED_LOOPS})
    assert "more than 8388608 characters" in err.message or "more than 5 s" in err.message


def test_nested_loops_that_write_nothing_stop_at_the_time_budget(tmp_path: Path):
    body = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    start = time.monotonic()
    err = refused(tmp_path, {NAME: body})
    assert "rendering takes more than 5 s" in err.message
    assert time.monotonic() - start >= sandbox.BUDGET
    assert err.problems[0].location().endswith(f"over/{NAME}:1")


def test_loops_over_context_data_are_timed_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sandbox, "BUDGET", 0.2)
    ten = "{% set l = [0,1,2,3,4,5,6,7,8,9] %}"
    body = ten + "{% for a in l %}" * 10 + "{% endfor %}" * 10  # no call inside: a tick per pass
    err = refused(tmp_path, {NAME: body}, within=5)
    assert "more than 0.2 s" in err.message


def test_includes_that_multiply_are_timed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sandbox, "BUDGET", 0.2)
    twice = f'{{% include "{NAME}" %}}{{% include "{NAME}" %}}'
    body = f"{{% set d = (d | default(0)) + 1 %}}{{% if d < 40 %}}{twice}{{% endif %}}"
    assert "more than 0.2 s" in refused(tmp_path, {NAME: body}, within=5).message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ range(10**9) | list }}", "range() would build more than 100000 items"),
        ('{{ "x" * 10**9 }}', "`*` would build a string of more than 8388608 characters"),
        ("{{ [0] * 10**6 }}", "`*` would build more than 100000 items"),
        ("{{ 10 ** (10 ** 10) }}", "`**` would build a number of more than 10000 bits"),
        ("{{ 10 ** 10 ** 10 ** 10 ** 10 }}", "`**` would build a number"),
        ("{% set a = 10 ** 3000 %}{{ a * a * a * a }}", "`*` would build a number"),
        ('{{ "%*s" % (10**9, "x") }}', "a width, padding or indent over 10000"),
        ('{{ "%1000000000s" | format("x") }}', "a width, padding or indent"),
        ('{{ "{:>1000000000}".format("x") }}', "a width, padding or indent"),
        ('{{ "{:{}}".format("x", 10**9) }}', "a width, padding or indent"),
        ("{{ '{0:{1}}'.format('x', '>2000000000') }}", "a width, padding or indent"),
        ("{{ '{0:{w}}'.format('x', w='>2000000000') }}", "a width, padding or indent"),
        ("{{ '{0:{1}{2}}'.format('x', '>', 2000000000) }}", "a width, padding or indent"),
        ("{{ '{:{}}'.format('x', '>' * 100) }}", "a format spec of more than 64"),
        ("{{ '{0:{1[0]}}'.format('x', ['>2000000000']) }}", "must name an argument"),
        ("{{ '{a:{b}}'.format_map({'a': 'x', 'b': '>2000000000'}) }}", "a width, padding"),
        ('{{ "x" | center(10**9) }}', "a width, padding or indent"),
        ('{{ "x".ljust(10**9) }}', "a width, padding or indent"),
        ('{{ ("x" * 100000) | replace("x", "y" * 1000) }}', "replace would build a string"),
        ("{{ range(1000) | map('center', 9000) | join }}", "join would build a string"),
        ("{{ ''.join(range(1000) | map('center', 9000)) }}", "join would build a string"),
        ('{% set s = "x" * 8000000 %}{{ [s] * 100 }}', "`*` would print as more than 33554432"),
        (
            "{% set x = [1, 2] %}" + "{% set x = [x, x] %}" * 30 + "{{ x }}",
            "a list would print as more than 33554432 characters",
        ),
        (
            "{% set a = ['y'] * 1000 %}{% set b = [a] * 1000 %}{{ [b] * 1000 }}",
            "`*` would print as more than",
        ),
        (
            "{% set x = {'a': 1} %}" + "{% set x = {'a': x, 'b': x} %}" * 30 + "{{ x | tojson }}",
            "a dict would print as more than",
        ),
        (
            "{% set x = (1,) %}" + "{% set x = (x, x) %}" * 30 + "{{ x | string }}",
            "a tuple would print as more than",
        ),
        (
            "{% set x = [1] %}" + "{% set x = [x] %}" * 200 + "{{ x }}",
            "a list would nest lists or dicts more than 100 deep",
        ),
        ('{{ ("x\\n" * 100000) | indent("y" * 1000) }}', "indent would build a string"),
        ("{{ [1] | batch(10**9, 0) | list }}", "batch would build more than 100000 items"),
        ("{{ lipsum(10**6) }}", "lipsum() would build more than 100000 items"),
        (
            '{% set ns = namespace(v="x") %}{% for i in range(64) %}'
            "{% set ns.v = ns.v ~ ns.v %}{% endfor %}",
            "`~` would build a string of more than 8388608 characters",
        ),
        (
            "{% set ns = namespace(v=[0]) %}{% for i in range(64) %}"
            "{% set ns.v = ns.v + ns.v %}{% endfor %}",
            "`+` would build more than 100000 items",
        ),
        (
            "{{ range(100000) | map('center', 9000) | list | length }}",
            "builds more than 134217728 characters of strings",
        ),
    ],
)
def test_values_that_grow_too_large_are_refused_before_they_are_built(
    tmp_path: Path, body: str, message: str
):
    err = refused(tmp_path, {NAME: body}, within=5)
    assert message in err.message
    assert err.problems[0].line == 1


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({NAME: MACRO}, "calls nest more than 64 deep"),
        (
            {
                NAME: "{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}"
                "{{ a() }}"
            },
            "calls nest more than 64 deep",
        ),
        ({NAME: "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}"}, "calls nest"),
        ({NAME: "{% block b %}{{ self.b() }}{% endblock %}"}, "calls nest"),
        ({NAME: f'{{% extends "{NAME}" %}}'}, "nests too deeply"),
        ({NAME: '{% extends "base.j2" %}', "base.j2": f'{{% extends "{NAME}" %}}'}, "nests too"),
        ({NAME: '{% include "b.j2" %}', "b.j2": f'{{% include "{NAME}" %}}'}, "nests too deeply"),
        ({NAME: "{% if true %}" * 120 + "{% endif %}" * 120}, "nests too deeply"),
        ({NAME: "{{ " + "(" * 300 + "1" + ")" * 300 + " }}"}, "nests too deeply"),
    ],
)
def test_recursion_ends_with_an_error(tmp_path: Path, files: dict[str, str], message: str):
    err = refused(tmp_path, files, within=5)
    assert message in err.message
    assert "Traceback" not in err.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "not allowed in the sandbox"),
        ("{{ cycler.__init__.__globals__ }}", "not allowed in the sandbox"),
        ("{{ range.__globals__ }}", "not allowed in the sandbox"),
        ("{{ 1 / 0 }}", "ZeroDivisionError: division by zero"),
        ('{{ "a" + 1 }}', "TypeError"),
        ('{{ "{".format() }}', "ValueError"),
        ("{{ 2.0 ** 100000 }}", "OverflowError"),
        ('{{ "\\ud800" }}', "renders text that is not Unicode"),  # no README is half-written
    ],
)
def test_sandbox_escapes_and_python_errors_are_refused(tmp_path: Path, body: str, message: str):
    assert message in refused(tmp_path, {NAME: body}, within=5).message


def test_a_syntax_error_names_its_file_once(tmp_path: Path):
    err = refused(tmp_path, {NAME: "line one\n{% for x in %}"}, within=5)
    assert err.message.startswith(f"doc template {NAME}: syntax error: ")
    override = str(tmp_path / "over")
    shown = f"{err.message}\n{err.problems[0].location()}: {err.problems[0].message}"
    assert shown.count(override) == 1
    assert err.problems[0].location() == f"{override}/{NAME}:2"


def test_errors_in_an_included_file_name_that_file_and_line(tmp_path: Path):
    files = {NAME: 'ok\n{% include "part.j2" %}', "part.j2": "a\nb\n{{ 1 // 0 }}"}
    err = refused(tmp_path, files, within=5)
    assert err.problems[0].location() == f"{tmp_path / 'over'}/part.j2:3"
    files = {NAME: 'ok\n{% include "part.j2" %}', "part.j2": "a\n{{ x + }}"}
    assert refused(tmp_path, files, within=5).problems[0].location().endswith("/part.j2:2")


def test_a_long_error_is_cut_to_one_short_line(tmp_path: Path):
    err = refused(tmp_path, {NAME: '{% set k = "k" * 100000 %}{{ {}[k] }}'}, within=5)
    assert len(err.message) < 400


def test_ordinary_work_stays_within_the_limits(tmp_path: Path):
    body = (
        "{% macro deep(n) %}{% if n %}{{ deep(n - 1) }}{% endif %}{{ n }}{% endmacro %}"
        "{{ deep(40) }}|{% for a in range(300) %}{% for b in range(300) %}{% endfor %}{% endfor %}"
        '{{ "=" * 80 }}|{{ "%-12s|" % "name" }}{{ "{:>8}".format(3) }}|{{ 2 ** 64 }}|'
        '{{ range(1000) | map("string") | join(",") | length }}|{{ "ab" | center(6) }}|'
        '{{ ("a\nb" | indent(4)) }}|{{ [1, 2, 3] | tojson(indent=2) | length }}'
    )
    docs, _ = renderer(tmp_path, {NAME: body})
    start = time.monotonic()
    text = docs.render(NAME, {"t": {}})
    assert time.monotonic() - start < 1
    assert text.startswith("012345")
    assert "|" + "=" * 80 + "|name        |       3|18446744073709551616|3889|  ab  |" in text


def test_each_render_gets_a_new_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sandbox, "BUDGET", 0.3)
    docs, _ = renderer(tmp_path, {NAME: "{% for a in range(300) %}{{ a }}{% endfor %}"})
    for _ in range(3):
        docs.render(NAME, {"t": {}})
        time.sleep(0.15)  # the budget is per render, not per renderer


def test_the_shipped_templates_render_well_within_the_budget(
    repo: RepoBuilder, cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    """About 40 ms for the largest file of a 300-template benchmark catalog; here, 20 files."""
    for n in range(20):
        repo.template(f"t{n:02}")
    repo.commit("feat: twenty templates")
    cli("release")
    took: list[float] = []
    original = DocRenderer.render

    def timed(self: DocRenderer, name: str, context: dict[str, object]) -> str:
        start = time.monotonic()
        text = original(self, name, context)
        took.append(time.monotonic() - start)
        return text

    monkeypatch.setattr(DocRenderer, "render", timed)
    cli("docs")
    cli("docs", "--format", "html")
    assert len(took) == 42
    assert max(took) < sandbox.BUDGET / 10


def test_docs_refuse_a_hostile_override_and_write_nothing(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    repo.commit("feat: web")
    repo.write({"gitops-templates.yaml": "docs: {templates_dir: over}\n",
                f"over/{NAME}": f'{{% extends "builtin/{NAME}" %}}\n{{% block usage %}}\n'
                + MACRO + "\n{% endblock %}\n"})  # fmt: skip
    result = cli("docs", code=3)
    assert f"doc template {NAME}: calls nest more than 64 deep" in result.stderr
    assert f"over/{NAME}:3" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (repo.path / "templates/web/README.md").exists()
    assert not (repo.path / "TEMPLATES.md").exists()


def test_docs_name_a_syntax_error_once(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    repo.commit("feat: web")
    repo.write({"gitops-templates.yaml": "docs: {templates_dir: over}\n",
                f"over/{NAME}": "{% for x in %}"})  # fmt: skip
    result = cli("docs", code=3)
    assert result.stderr.count(f"over/{NAME}") == 1
    assert "syntax error" in result.stderr


def test_widths_within_the_limits_still_format(tmp_path: Path):
    body = ("{{ '{0:>{1}}|{2}'.format('x', 5, 'long text ' * 20) }}"
            "{{ '{:{}}'.format('y', '^3') }}{{ '%-4s|' % 'z' }}")  # fmt: skip
    docs, _ = renderer(tmp_path, {NAME: body})
    out = docs.render(NAME, {"t": {}})
    assert out.startswith("    x|long text long text")
    assert out.endswith(" y z   |")
