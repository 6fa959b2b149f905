"""Push hook stdin parsing: ref updates, null ids, deletions and malformed lines."""

from __future__ import annotations

import pytest

from gitops_templates.errors import ExitCode, InvalidInputError
from gitops_templates.hooks.core.pushrefs import RefUpdate, parse_pre_push, parse_pre_receive

A = "a" * 40
B = "b" * 40
C = "c" * 64
Z40 = "0" * 40
Z64 = "0" * 64

PRE_PUSH = [
    # stdin, expected updates
    (
        f"refs/heads/main {A} refs/heads/main {B}\n",
        [RefUpdate("refs/heads/main", B, A)],
    ),
    (
        f"refs/tags/web@1.0.0 {A} refs/tags/web@1.0.0 {Z40}\n",
        [RefUpdate("refs/tags/web@1.0.0", None, A)],
    ),
    (
        f"(delete) {Z40} refs/tags/web@1.0.0 {A}\n",
        [RefUpdate("refs/tags/web@1.0.0", A, None)],
    ),
    (
        f"refs/heads/topic {C} refs/heads/other {Z64}\n",
        [RefUpdate("refs/heads/other", None, C)],
    ),
    (
        f"(delete) {Z64} refs/heads/gone {C}",
        [RefUpdate("refs/heads/gone", C, None)],
    ),
    (
        f"\n   \nrefs/heads/a {A} refs/heads/a {B}\n\nrefs/tags/t {B} refs/tags/t {Z40}\n\n",
        [RefUpdate("refs/heads/a", B, A), RefUpdate("refs/tags/t", None, B)],
    ),
    (f"refs/heads/a {A} refs/heads/a {B}\r\n", [RefUpdate("refs/heads/a", B, A)]),
    ("", []),
    ("\n\n", []),
]


@pytest.mark.parametrize(("text", "expected"), PRE_PUSH)
def test_pre_push_reads_remote_ref_with_remote_old_and_local_new(
    text: str, expected: list[RefUpdate]
):
    assert parse_pre_push(text) == expected


PRE_RECEIVE = [
    (f"{A} {B} refs/heads/main\n", [RefUpdate("refs/heads/main", A, B)]),
    (f"{Z40} {A} refs/tags/web@1.0.0\n", [RefUpdate("refs/tags/web@1.0.0", None, A)]),
    (f"{A} {Z40} refs/tags/web@1.0.0\n", [RefUpdate("refs/tags/web@1.0.0", A, None)]),
    (f"{Z64} {C} refs/heads/sha256\n", [RefUpdate("refs/heads/sha256", None, C)]),
    (f"{C} {Z64} refs/heads/sha256", [RefUpdate("refs/heads/sha256", C, None)]),
    (
        f"\n{A} {B} refs/heads/x\n \n{B} {A} refs/heads/y\n",
        [RefUpdate("refs/heads/x", A, B), RefUpdate("refs/heads/y", B, A)],
    ),
    ("", []),
]


@pytest.mark.parametrize(("text", "expected"), PRE_RECEIVE)
def test_pre_receive_reads_old_new_and_ref(text: str, expected: list[RefUpdate]):
    assert parse_pre_receive(text) == expected


MALFORMED_PRE_PUSH = [
    # stdin, line number reported, words in the message
    (f"refs/heads/a {A} refs/heads/a\n", 1, "expected 4 fields"),
    (f"refs/heads/a {A} refs/heads/a {B} extra\n", 1, "got 5"),
    (f"refs/heads/a\t{A}\trefs/heads/a\t{B}\n", 1, "expected 4 fields"),
    (f"refs/heads/a {A} refs/heads/a {B} \n", 1, "got 5"),
    (f"refs/heads/a {A} refs/heads/a {B}\n\nrefs/heads/b {A} refs/heads/b xyz\n", 3, "'xyz'"),
    (f"refs/heads/a {A.upper()} refs/heads/a {B}\n", 1, "is not an object id"),
    (f"refs/heads/a {A[:39]} refs/heads/a {B}\n", 1, "is not an object id"),
    (f"refs/heads/a {A} refs/heads/a {'0' * 39}\n", 1, "is not an object id"),
    (f"refs/heads/a {A} refs/heads/a {'0' * 41}\n", 1, "is not an object id"),
    (f"refs/heads/a {A} refs/heads/a {'g' * 40}\n", 1, "is not an object id"),
]


@pytest.mark.parametrize(("text", "line", "words"), MALFORMED_PRE_PUSH)
def test_malformed_pre_push_line_is_invalid_input_with_exit_3(text: str, line: int, words: str):
    with pytest.raises(InvalidInputError) as caught:
        parse_pre_push(text)
    err = caught.value
    assert err.exit_code is ExitCode.INVALID_INPUT
    assert int(err.exit_code) == 3
    assert err.message.startswith(f"hook input line {line}: ")
    assert words in err.message
    [problem] = err.problems
    assert (problem.file, problem.line) == ("<stdin>", line)
    assert err.hint is not None


MALFORMED_PRE_RECEIVE = [
    (f"{A} {B}\n", 1, "expected 3 fields"),
    (f"{A} {B} refs/heads/a refs/heads/b\n", 1, "got 4"),
    (f"{A} {B} refs/heads/ok\n{A} {B}  refs/heads/double-space\n", 2, "got 4"),
    (f"{'0' * 20} {B} refs/heads/a\n", 1, "is not an object id"),
    (f"{A} deadbeef refs/heads/a\n", 1, "'deadbeef'"),
    (f"refs/heads/a {A} {B}\n", 1, "'refs/heads/a' is not an object id"),
]


@pytest.mark.parametrize(("text", "line", "words"), MALFORMED_PRE_RECEIVE)
def test_malformed_pre_receive_line_is_invalid_input_with_exit_3(text: str, line: int, words: str):
    with pytest.raises(InvalidInputError) as caught:
        parse_pre_receive(text)
    assert caught.value.exit_code == 3
    assert caught.value.message.startswith(f"hook input line {line}: ")
    assert words in caught.value.message
    assert caught.value.problems[0].line == line


def test_a_very_long_bad_id_is_cut_in_the_message():
    with pytest.raises(InvalidInputError) as caught:
        parse_pre_receive(f"{'x' * 500} {B} refs/heads/a\n")
    assert f"{'x' * 80!r} is not an object id" in caught.value.message
    assert "x" * 81 not in caught.value.message


REFS = [
    # ref, is_tag, is_branch, name
    ("refs/tags/web@1.0.0", True, False, "web@1.0.0"),
    ("refs/heads/main", False, True, "main"),
    ("refs/heads/feature/x", False, True, "feature/x"),
    ("refs/notes/commits", False, False, "refs/notes/commits"),
]


@pytest.mark.parametrize(("ref", "is_tag", "is_branch", "name"), REFS)
def test_ref_update_kind_and_short_name(ref: str, is_tag: bool, is_branch: bool, name: str):
    update = RefUpdate(ref, None, A)
    assert (update.is_tag, update.is_branch) == (is_tag, is_branch)
    assert update.name == name


@pytest.mark.parametrize(
    ("ref", "name"),
    [("refs/tags/web@1.0.0", "web@1.0.0"), ("refs/heads/main", "main"),
     ("refs/tags/refs/heads/web@1.0.0", "refs/heads/web@1.0.0"), ("refs/notes/x", "refs/notes/x")],
)  # fmt: skip
def test_name_takes_one_prefix_off(ref: str, name: str):
    assert RefUpdate(ref, None, "a" * 40).name == name
