"""Safe YAML: errors with file and line, alias bombs, line lookups, UTF-8."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from gitops_templates.catalog.yamlio import load_yaml
from gitops_templates.errors import InvalidInputError

YAML_ERRORS = [
    ("a: [1, 2\n", "invalid YAML", 2),
    ("a: 1\na: 2\n", "duplicate key 'a'", 2),
    ("a: &x [*x]\n", "recursive alias", 1),
    ("---\na: 1\n---\nb: 2\n", "invalid YAML", 3),
    ("!!python/object/apply:os.system ['true']\n", "invalid YAML", 1),
]


@pytest.mark.parametrize(("text", "message", "line"), YAML_ERRORS)
def test_yaml_errors_name_file_and_line(text: str, message: str, line: int):
    with pytest.raises(InvalidInputError) as info:
        load_yaml(text, "t.yaml")
    problem = info.value.problems[0]
    assert message in problem.message
    assert (problem.file, problem.line) == ("t.yaml", line)


def test_yaml_bomb_is_refused_quickly():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(InvalidInputError, match="alias bomb"):
        load_yaml("\n".join(lines) + "\n", "bomb.yaml")


def test_yaml_lines_and_invalid_utf8():
    doc = load_yaml("a:\n  b:\n    - x\n    - y\n", "t.yaml")
    assert doc.line_of(("a", "b", 1)) == 4
    assert doc.line_of(("a", "missing")) == 2
    with pytest.raises(InvalidInputError, match="UTF-8"):
        load_yaml(b"a: \xff\n", "t.yaml")


LOADERS: list[type[Any]] = [
    yaml.SafeLoader,
    *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else []),
]
CORPUS = [
    "a: 1\nb: [x, {c: 2}]\nd:\n  e: 'q'\n  f: |\n    text\n    more\n",
    "on: yes\nversion: 1.10\nwhen: 2024-01-02\nnull_value: ~\nanchors: &a {x: 1}\nref: *a\n",
    "- 1\n- - 2\n  - 3\n- {k: v}\n",
    "# only a comment\n",
    "",
    "a: [1, 2\n",
    "a: 1\na: 2\n",
    "---\na: 1\n---\nb: 2\n",
    "\x00a: 1\n",
    "a: 1\nb: \x07x\n",
    "a:\n  - b\n - c\n",
    "a: 'unterminated\n",
    "key: value\n\tindented: tab\n",
]


def _outcome(text: str, loader: type[Any]) -> tuple[object, ...]:
    try:
        doc = load_yaml(text, "t.yaml", loader_class=loader)
    except InvalidInputError as err:
        problem = err.problems[0]
        return ("error", problem.file, problem.line, problem.message.split(":")[0])
    return ("ok", doc.data, doc.lines)


@pytest.mark.parametrize("text", CORPUS)
def test_libyaml_and_pure_loaders_agree_on_data_lines_and_error_lines(text: str):
    results = [_outcome(text, loader) for loader in LOADERS]
    assert len(results) == 2, "PyYAML without libyaml: only one loader to compare"
    assert results[0] == results[1], results


@pytest.mark.parametrize("loader", LOADERS)
def test_remembered_tags_are_the_resolvers_own(loader: type[Any]):
    text = "a: 1\nb: '1'\nc: yes\nd: \"yes\"\ne: ~\nf: 1.5\ng: [1, '1', null]\nh: " + "1" * 80
    expected = yaml.load(text, Loader=loader)
    for _ in range(3):  # the second and third parses find the tags remembered
        assert load_yaml(text, "t.yaml", loader_class=loader).data == expected
    assert load_yaml("x: 1\n", "t.yaml", loader_class=loader).data == {"x": 1}


def test_the_fast_loader_is_used_when_pyyaml_has_libyaml():
    from gitops_templates.catalog import yamlio

    assert yamlio.SAFE_LOADER is getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(
    ("text", "line"), [("\x00a: 1\n", 1), ("a: 1\nb: \x07x\n", 2), ("a: ok\n\x1b[31m: red\n", 2)]
)
def test_control_characters_are_invalid_input_with_the_line(
    text: str, line: int, loader: type[Any]
):
    with pytest.raises(InvalidInputError) as info:
        load_yaml(text, "t.yaml", loader_class=loader)
    problem = info.value.problems[0]
    assert (problem.file, problem.line) == ("t.yaml", line)
    assert "control characters are not allowed" in problem.message


@pytest.mark.parametrize("loader", LOADERS)
def test_deep_nesting_is_invalid_input_not_a_crash(loader: type[Any]):
    text = "a: " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(InvalidInputError, match="invalid YAML"):
        load_yaml(text, "deep.yaml", loader_class=loader)


ONE_WALK = [
    *CORPUS,
    "a: 1\nb:\n  c: [1, 2.5, .nan, -.inf, 0x1F, 0o17, 1_000, true, No, null, ~, '', \"q\"]\n",
    "1: a\n'1': b\n",  # distinct keys to PyYAML, one key to the duplicate check
    "a: {b: 1, b: 2}\n",
    "a:\n  - {x: 1}\n  - {x: 1, y: 2, x: 3}\nz: 1\nz: 2\n",
    "? [a, b]\n: c\n",
    "? {a: 1}\n: c\nd: 1\nd: 2\n",
    "<<: {a: 1}\nb: 2\n",
    "'<<': x\nb: 2\n",
    "when: 2024-01-02\nt: 2001-12-14t21:59:43.10-05:00\n",
    "a: !!str 12\nb: !!int '7'\nc: !!float '1'\nd: !!bool 'yes'\ne: !!null ''\n",
    "a: !!int abc\nb: 1\nb: 2\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\nb: !!omap [{a: 1}]\nc: !!pairs [{a: 1}]\n",
    "a: !custom x\n",
    "!!map {a: 1}\n",
    "a: !!seq [1]\nb: !!map {c: 1}\n",
    "a: !!map x\n",
    "a: R&D and *stars*\nb: 1\nb: 2\n",
    "a: &x 1\nb: *x\nb: 2\n",
    "[" * 2000 + "]" * 2000 + "\n",
    "a: [" + "0, " * 100_001 + "]\n",
    "k: " + "{a: " * 300 + "1" + "}" * 300 + "\n",
]


def _skip_long_with_the_pure_loader(text: str, loader: type[Any]) -> None:
    if len(text) > 3000 and loader is yaml.SafeLoader:
        pytest.skip("long documents with libyaml only: the pure loader takes seconds")


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text", ONE_WALK, ids=range(len(ONE_WALK)))
def test_the_one_walk_build_equals_checking_then_constructing(
    text: str, loader: type[Any], monkeypatch: pytest.MonkeyPatch
):
    """Data, lines, errors and their lines as `_check` then PyYAML's constructor give them."""
    from gitops_templates.catalog import yamlio

    _skip_long_with_the_pure_loader(text, loader)

    def reference(text: str, source: str) -> yamlio.YamlDocument:
        node_loader = loader(text)
        try:
            node = node_loader.get_single_node()
            if node is None:
                return yamlio.YamlDocument(None, {}, source)
            lines: dict[Any, int] = {}
            yamlio._check(node, (), lines, source, set(), [0])
            return yamlio.YamlDocument(node_loader.construct_document(node), lines, source)
        finally:
            node_loader.dispose()

    def outcome(compose: Any) -> tuple[object, ...]:
        try:
            doc = compose(text, "t.yaml")
        except InvalidInputError as err:
            return ("invalid", err.message, err.problems[0].line)
        except Exception as err:  # what PyYAML raises past load_yaml, as it did before
            return ("raised", type(err).__name__, str(err))
        return ("ok", repr(doc.data), doc.lines)

    monkeypatch.setattr(yamlio, "_compose", lambda _cls, t, s: reference(t, s))
    expected = outcome(yamlio.load_yaml)  # `load_yaml`'s error handling around the reference
    monkeypatch.undo()
    assert outcome(lambda t, s: yamlio.load_yaml(t, s, loader_class=loader)) == expected


STREAMS = [
    *(f"x: 1\n---\n{text}---\ny: [1, 2]\n" for text in ONE_WALK),
    "a: [" + "0, " * 60_000 + "]\n---\nb: [" + "0, " * 60_000 + "]\n",  # nodes of the stream
    "a: 1\n---\n---\nb: 2\n",
]


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("text", STREAMS, ids=range(len(STREAMS)))
def test_a_stream_of_documents_equals_checking_then_constructing_each(
    text: str, loader: type[Any], monkeypatch: pytest.MonkeyPatch
):
    """`load_yaml_documents` builds alias-free documents in one walk too: same outcome."""
    from gitops_templates.catalog import yamlio

    _skip_long_with_the_pure_loader(text, loader)

    def reference(cls: type[Any], text: str, source: str) -> list[yamlio.YamlDocument]:
        node_loader, documents, count = cls(text), [], [0]
        try:
            while node_loader.check_node():
                node, lines = node_loader.get_node(), dict[Any, int]()
                if node is not None:
                    yamlio._check(node, (), lines, source, set(), count)
                data = node_loader.construct_document(node)
                documents.append(yamlio.YamlDocument(data, lines, source))
        finally:
            node_loader.dispose()
        return documents

    def outcome() -> tuple[object, ...]:
        try:
            docs = yamlio.load_yaml_documents(text, "t.yaml", loader_class=loader,
                                              max_bytes=10**7)  # fmt: skip
        except InvalidInputError as err:
            return ("invalid", err.message, err.problems[0].line)
        except Exception as err:
            return ("raised", type(err).__name__, str(err))
        return ("ok", [(repr(d.data), d.lines) for d in docs])

    monkeypatch.setattr(yamlio, "_compose_all", reference)
    expected = outcome()
    monkeypatch.undo()
    assert outcome() == expected
