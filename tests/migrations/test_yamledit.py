"""Instance files rewritten after a migration: comments, order, quoting and layout kept."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gitops_templates.errors import InvalidInputError
from gitops_templates.migrations.yamledit import rewrite_instance

EXAMPLE = """\
# billing alerts for the shop
template: alerts        # the catalog template
version: "1.4.2"        # or "^1.4" / "~1.4"
values:
  limit: 5              # alerts per hour
  legacy: true
  tier: 'basic'
  routes:
    - name: a
      to: x
"""

MIGRATED = {
    "max_alerts": 5,
    "tier": "standard",
    "routes": [{"name": "a", "to": "x"}],
    "channel": "email",
}


def rewrite(text: str, values: Any, renames=(), version: str = "1.0.0") -> str:
    out = rewrite_instance(
        text.encode(), "app.yaml", values=values, renames=list(renames), version=version
    )
    assert yaml.safe_load(out) == {**yaml.safe_load(text), "version": version, "values": values}
    return out.decode()


def test_the_example_is_migrated_with_its_comments_order_and_quoting():
    out = rewrite(EXAMPLE, MIGRATED, [("/limit", "/max_alerts")], version="3.0.0")
    assert out == (
        "# billing alerts for the shop\n"
        "template: alerts        # the catalog template\n"
        'version: "3.0.0"        # or "^1.4" / "~1.4"\n'
        "values:\n"
        "  max_alerts: 5         # alerts per hour\n"
        "  tier: 'standard'\n"
        "  routes:\n"
        "    - name: a\n"
        "      to: x\n"
        "  channel: email\n"
    )


def test_nothing_to_change_returns_the_very_bytes():
    raw = b"template: t   \nversion:   '1.0.0'\nvalues:\n   a:    1 #  odd spacing\n"
    values = yaml.safe_load(raw)["values"]
    assert rewrite_instance(raw, "x", values=values, renames=[], version="1.0.0") is raw
    assert rewrite_instance(EXAMPLE.encode(), "x", values=yaml.safe_load(EXAMPLE)["values"],
                            renames=[("/absent", "/b")], version="1.4.2") == EXAMPLE.encode()  # fmt: skip


def test_a_plain_pin_is_quoted_only_when_yaml_would_misread_it():
    text = "template: t\nversion: 1.4.2\nvalues: {}\n"
    assert "version: 3.0.0\n" in rewrite(text, {}, version="3.0.0")
    assert 'version: "3.0"\n' in rewrite(text, {}, version="3.0")
    assert "version: ^3.0\n" in rewrite(text, {}, version="^3.0")
    assert "version: '~1.4'\n" in rewrite(text.replace("1.4.2", "'1.4.2'"), {}, version="~1.4")


def test_nested_renames_and_renames_inside_list_items():
    text = "template: t\nversion: 1.0.0\nvalues:\n  a:\n    b: 1  # keep\n    z: 2\n  routes:\n  - to: x  # to x\n    name: n\n"
    values = {"a": {"c": 1, "z": 2}, "routes": [{"target": "x", "name": "n"}]}
    out = rewrite(text, values, [("/a/b", "/a/c"), ("/routes/0/to", "/routes/0/target")])
    assert "  a:\n    c: 1  # keep\n    z: 2\n" in out
    assert "  routes:\n  - target: x # to x\n    name: n\n" in out  # the same column


def test_pointer_escapes_are_decoded():
    text = "template: t\nversion: 1.0.0\nvalues:\n  a/b: 1 # slash\n  c~d: 2\n  e: 3\n"
    values = {"ab": 1, "cd": 2, "e": 3}
    out = rewrite(text, values, [("/a~1b", "/ab"), ("/c~0d", "/cd")])
    assert out.endswith("values:\n  ab: 1  # slash\n  cd: 2\n  e: 3\n")  # the same column


def test_a_rename_onto_an_existing_key_replaces_it_in_place():
    text = "template: t\nversion: 1.0.0\nvalues:\n  new: 0\n  old: 1 # old\n  z: 2\n"
    out = rewrite(text, {"new": 1, "z": 2}, [("/old", "/new")])
    assert out.endswith("values:\n  new: 1 # old\n  z: 2\n")


def test_a_move_elsewhere_is_left_to_the_values():
    text = "template: t\nversion: 1.0.0\nvalues:\n  a:\n    x: 1\n  b: {}\n  l: [p, q, r]\n"
    values = {"a": {}, "b": {"y": 1}, "l": ["q", "r", "p"]}
    out = rewrite(text, values, [("/a/x", "/b/y"), ("/l/0", "/l/-")])
    assert "  a: {}\n  b:\n    y: 1\n  l: [q, r, p]\n" in out


COMMENTED = """\
template: t
version: 1.0.0
values:
  # head of values
  a: 1    # a eol
  # about b
  b: 2    # b eol

  # section d
  d:
    x: 1   # x eol
    # about y
    y: 2
  # end of values
# before other
other: 1
"""


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (  # b's comments go, the one above it too; the section header and a's stay
            {"a": 1, "d": {"x": 1, "y": 2}},
            "values:\n  # head of values\n  a: 1    # a eol\n\n  # section d\n  d:\n",
        ),
        (  # the comment lines after a (the first key) move before the next one
            {"b": 2, "d": {"x": 1, "y": 2}},
            "values:\n  # head of values\n  # about b\n  b: 2    # b eol\n\n  # section d\n",
        ),
        (  # the comments after the last entry stay after it
            {"a": 1, "b": 2},
            "  b: 2    # b eol\n\n  # end of values\n# before other\nother: 1\n",
        ),
        (
            {"a": 1, "b": 2, "d": {"x": 1}},
            "  d:\n    x: 1   # x eol\n  # end of values\n# before other\nother: 1\n",
        ),
        (
            {"a": 1, "b": 2, "d": {"y": 2}},
            "  # section d\n  d:\n    # about y\n    y: 2\n  # end of values\n",
        ),
        (  # new entries go before the comments that end the mapping
            {"a": 1, "b": 2, "d": {"x": 1, "y": 2}, "e": [1]},
            "    y: 2\n  e:\n    - 1\n  # end of values\n# before other\nother: 1\n",
        ),
        (  # a value of another kind: the comment on its line and those after it stay
            {"a": {"k": "v"}, "b": 2, "d": "flat"},
            "  a:      # a eol\n    k: v\n  # about b\n",
        ),
        ({"a": 1, "b": 2, "d": "flat"}, "  d: flat\n  # end of values\n# before other\n"),
        ({"a": 1, "b": 2, "d": {}}, "  # section d\n  d: {}\n  # end of values\n"),
    ],
)
def test_comments_of_deleted_and_replaced_keys(values: dict[str, Any], expected: str):
    assert expected in rewrite(COMMENTED, values)


def test_sequences_are_truncated_and_extended_keeping_their_comments():
    text = "template: t\nversion: 1.0.0\nvalues:\n  l:\n  - a  # first\n  - b  # second\n  # after l\n  z: 1\n"
    assert "  l:\n  - a  # first\n  # after l\n  z: 1\n" in rewrite(text, {"l": ["a"], "z": 1})
    out = rewrite(text, {"l": ["a", "b", {"k": [1]}], "z": 1})
    assert "  - b  # second\n  - k:\n    - 1\n  # after l\n  z: 1\n" in out
    assert "  l: []\n" in rewrite(text, {"l": [], "z": 1})


def test_four_space_indentation_and_unindented_dashes_are_kept():
    text = "template: t\nversion: 1.0.0\nvalues:\n    m:\n        a: 1\n    l:\n    - x\n"
    out = rewrite(text, {"m": {"a": 1, "b": {"c": [1]}}, "l": ["x", "y"]})
    assert out.endswith("    m:\n        a: 1\n        b:\n            c:\n            - 1\n"
                        "    l:\n    - x\n    - y\n")  # fmt: skip


def test_indented_dashes_are_kept():
    text = "template: t\nversion: 1.0.0\nvalues:\n  l:\n    - x\n"
    assert rewrite(text, {"l": ["x", {"a": 1, "b": 2}]}).endswith(
        "  l:\n    - x\n    - a: 1\n      b: 2\n"
    )


def test_crlf_line_ends_document_markers_and_a_missing_last_newline_are_kept():
    text = "# head\r\n---\r\ntemplate: t\r\nversion: 1.0.0\r\nvalues:\r\n  a: 1\r\n...\r\n"
    out = rewrite_instance(text.encode(), "x", values={"a": 2}, renames=[], version="2.0.0")
    assert out == text.replace("a: 1", "a: 2").replace("1.0.0", "2.0.0").encode()
    text = "template: t\nversion: 1.0.0\nvalues:\n  a: 1"
    assert rewrite(text, {"a": 2}).endswith("  a: 2")
    assert rewrite(text, {"a": "x\ny\n"}).endswith("  a: |\n    x\n    y\n")


def test_new_strings_are_quoted_when_yaml_would_misread_them():
    text = "template: t\nversion: 1.0.0\nvalues:\n  a: 1\n"
    values = {"a": "yes", "b": "null", "c": "1.0", "d": "a: b", "e": "#x", "f": "",
              "g": "multi\nline\n", "h": "~", "on": "0777", "i": "1:20", "j": "2001-12-14",
              "k": " lead", "l": "tab\tand\nbreak ", "m": "0o17"}  # fmt: skip
    out = rewrite(text, values)
    assert 'a: "yes"\n' in out
    assert '"on": "0777"\n' in out
    assert "  g: |\n    multi\n    line\n" in out


def test_quoted_values_that_change_keep_their_quotes():
    text = "template: t\nversion: 1.0.0\nvalues:\n  s: 'a'\n  d: \"b\"\n  p: c\n  n: 1\n"
    out = rewrite(text, {"s": "x", "d": "y", "p": "z", "n": "1"})
    assert out.endswith('  s: \'x\'\n  d: "y"\n  p: z\n  n: "1"\n')


def test_values_are_added_when_the_file_had_none():
    assert rewrite("template: t\nversion: 1.0.0\n", {"a": 1}).endswith("values:\n  a: 1\n")
    assert rewrite("template: t\nversion: 1.0.0\nvalues:\n", {"a": 1}).endswith("values:\n  a: 1\n")


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("template: t\nvalues: &v {a: 1}\nother: *v\n", "anchors, aliases or merge keys", 2),
        ("# c\n---\ntemplate: t\nvalues:\n  <<: {a: 1}\n", "anchors, aliases or merge", 5),
        ("template: t\n---\ntemplate: u\n", "holds 2 YAML documents", None),
        ("---\ntemplate: [t\n", "invalid YAML", 3),
        ("template: t\ntemplate: u\n", "invalid YAML", 2),
        ("- a\n", "an instance file is a mapping", 1),
        ("", "an instance file is a mapping", 1),
    ],
)
def test_files_that_are_not_rewritten(text: str, message: str, line: int | None):
    with pytest.raises(InvalidInputError) as info:
        rewrite_instance(text.encode(), "app.yaml", values={}, renames=[], version="1.0.0")
    assert info.value.message.startswith("app.yaml")
    assert message in info.value.message
    assert (info.value.problems[0].file, info.value.problems[0].line) == ("app.yaml", line)


def test_block_scalars_keep_their_comment_and_style():
    text = "template: t\nversion: 1.0.0\nvalues:\n  a: |  # the text\n    one\n    two\n# after\nz: 1\n"
    assert "  a: |  # the text\n    one\n    three\n# after\n" in rewrite(
        text, {"a": "one\nthree\n"}
    )
    assert "  a: 5 # the text\n# after\n" in rewrite(text, {"a": 5})


def test_strings_in_flow_collections_are_quoted_for_yaml_1_1():
    text = "template: t\nversion: 1.0.0\nvalues: {a: [x]}\n"
    out = rewrite(text, {"a": ["x", "http://h/p?q=1", "a:b"], "k?": "v"})
    assert 'values: {a: [x, "http://h/p?q=1", "a:b"], "k?": v}\n' in out


def test_a_file_ruamel_cannot_read_is_refused():
    with pytest.raises(InvalidInputError, match=r"ruamel\.yaml cannot read it"):
        rewrite_instance(
            b"template: t\nvalues:\n  -_: 1\n", "x", values={}, renames=[], version="1"
        )


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(InvalidInputError, match="UTF-8"):
        rewrite_instance(b"a: \xff\n", "app.yaml", values={}, renames=[], version="1")


def strict(value: Any) -> Any:
    """A form where `True` and `1`, `1` and `1.0` differ."""
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strict(v) for v in value]
    return (type(value).__name__, value)


TRICKY = st.sampled_from(["yes", "no", "on", "null", "~", "1.0", "1", "0x1f", "true", "a: b",
                          "#x", "-", "? q", "x\ny", "x\n", "", " ", "2001-12-14", "1_000",
                          "0o17", "1e3", "=", "<<", "[a]", "é ü", "\ttab", "a\x85b"])  # fmt: skip
TEXT = st.text(alphabet=st.sampled_from("ab :#-'\"\n\t{}[],&*!|>%@`é.0"), max_size=8)
KEYS = st.one_of(TRICKY.filter(lambda k: k and "\n" not in k), st.from_regex(r"[a-z][a-z_-]{0,4}", fullmatch=True))  # fmt: skip
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), TEXT, TRICKY)
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)), max_leaves=8)  # fmt: skip
MAPS = st.dictionaries(KEYS, VALUES, max_size=4)


def escape(key: str) -> str:
    return "/" + key.replace("~", "~0").replace("/", "~1")


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(old=MAPS, new=MAPS, data=st.data())
def test_the_rewritten_file_reads_back_as_the_migrated_values(old, new, data):
    """Files as PyYAML writes them (block or flow, 2 or 4 spaces, LF or CRLF) and values
    kept, merged, replaced or renamed: the file reads back as exactly the values."""
    style = {"indent": data.draw(st.sampled_from([2, 4])), "sort_keys": False,
             "default_flow_style": data.draw(st.sampled_from([False, None]))}  # fmt: skip
    text = "# header\n" + yaml.safe_dump(
        {"template": "t", "version": "1.0.0", "values": old}, **style
    )
    newline = data.draw(st.sampled_from(["\n", "\r\n"]))
    mode = data.draw(st.sampled_from(["same", "merged", "other", "renamed"]))
    values, renames = {**old, **new} if mode == "merged" else new if mode == "other" else old, []
    fresh = data.draw(KEYS)
    if mode == "renamed" and old and fresh not in old:
        key = data.draw(st.sampled_from(sorted(old)))
        values, renames = (
            {fresh if k == key else k: v for k, v in old.items()},
            [(escape(key), escape(fresh))],
        )
    version = data.draw(st.sampled_from(["1.0.0", "3.0", "^3.1", "2.0.0"]))
    raw = text.replace("\n", newline).encode()
    out = rewrite_instance(raw, "x", values=values, renames=renames, version=version)
    expected = {"template": "t", "version": version, "values": values}
    assert strict(yaml.safe_load(out)) == strict(expected), out.decode()
    assert (b"\r\n" in out) == (newline == "\r\n")
    again = rewrite_instance(out, "x", values=values, renames=[], version=version)
    assert again is out  # what it writes reads back as unchanged


def test_plain_scalars_yaml_1_1_reads_as_other_types_are_kept_as_written():
    raw = (
        b"template: a\nversion: 1.0.0\nvalues:\n  enabled: no   # keep\n  limit: 5\n  when: 1:20\n"
    )
    out = rewrite_instance(raw, "x", values={"enabled": False, "max": 5, "when": 80},
                           renames=[("/limit", "/max")], version="2.0.0")  # fmt: skip
    assert out == raw.replace(b"limit", b"max").replace(b"1.0.0", b"2.0.0")
