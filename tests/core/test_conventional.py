"""Conventional Commits 1.0.0 parsing, table-driven."""

from __future__ import annotations

import pytest

from gitops_templates.core.conventional import parse_message, split_list

HEADERS = [
    # message, type, scope, bang, subject
    ("feat: add x", "feat", None, False, "add x"),
    ("feat(web): add x", "feat", "web", False, "add x"),
    ("feat(web)!: drop x", "feat", "web", True, "drop x"),
    ("feat!: drop x", "feat", None, True, "drop x"),
    ("FIX(Web): Upper case type", "fix", "Web", False, "Upper case type"),
    ("build-deps: bump", "build-deps", None, False, "bump"),
    ("feat:missing space", None, None, False, "feat:missing space"),
    ("feat (web): space before scope", None, None, False, "feat (web): space before scope"),
    ("feat(): empty scope", None, None, False, "feat(): empty scope"),
    ("Merge pull request #1 from a/b", None, None, False, "Merge pull request #1 from a/b"),
    ('Revert "feat: x"', None, None, False, 'Revert "feat: x"'),
    ("feat: ", None, None, False, "feat:"),
    ("fix:  two spaces", "fix", None, False, "two spaces"),
    ("feat(a)(b): double scope", None, None, False, "feat(a)(b): double scope"),
    ("  fix: leading spaces  ", "fix", None, False, "leading spaces"),
]


@pytest.mark.parametrize(("message", "type_", "scope", "bang", "subject"), HEADERS)
def test_header(message: str, type_: str | None, scope: str | None, bang: bool, subject: str):
    parsed = parse_message(message)
    assert (parsed.type, parsed.scope, parsed.bang, parsed.subject) == (
        type_,
        scope,
        bang,
        subject,
    )


BREAKING = [
    # message, breaking, notes
    ("feat!: x", True, ()),
    ("feat: x\n\nBREAKING CHANGE: removed y", True, ("removed y",)),
    ("feat: x\n\nBREAKING-CHANGE: removed y", True, ("removed y",)),
    ("feat: x\n\nbody\n\nBREAKING CHANGE: a\nRefs: #1", True, ("a",)),
    # prose in the body never counts
    ("feat: x\n\nBREAKING CHANGE: looks like a footer\n\nbut prose follows.", False, ()),
    ("feat: x\n\nWe avoided a BREAKING CHANGE: here.", False, ()),
    # the token must be upper case
    ("feat: x\n\nbreaking change: y", False, ()),
    ("feat: x\n\nBreaking-Change: y", False, ()),
    # near misses
    ("feat: x\n\nBREAKING CHANGES: y", False, ()),
    ("feat: x\n\nBREAKING CHANGE y", False, ()),
    # `git commit -s` puts Signed-off-by in its own paragraph: both are footers
    ("feat: x\n\nBREAKING CHANGE: y\n\nSigned-off-by: A <a@b>", True, ("y",)),
    # continuation lines belong to the footer value
    ("fix: x\n\nBREAKING CHANGE: first\n  second line\nRefs: #3", True, ("first\nsecond line",)),
    # CRLF line endings
    ("fix: x\r\n\r\nBREAKING-CHANGE: crlf\r\n", True, ("crlf",)),
    # a footer block in a non-conventional commit is still read
    ("Update things\n\nBREAKING CHANGE: z", True, ("z",)),
]


@pytest.mark.parametrize(("message", "breaking", "notes"), BREAKING)
def test_breaking(message: str, breaking: bool, notes: tuple[str, ...]):
    parsed = parse_message(message)
    assert parsed.breaking is breaking
    assert parsed.breaking_notes == notes


def test_footers_tokens_and_hash_separator():
    parsed = parse_message(
        "fix(web): x\n\nSome body.\n\nTemplate: web, db\nRelease-As: web@2.0.0\n"
        "Closes #12\nrelease: none"
    )
    assert parsed.body == "Some body."
    assert parsed.footer_values("template") == ("web, db",)
    assert parsed.footer_values("Release-As") == ("web@2.0.0",)
    assert parsed.footer_values("Closes") == ("12",)
    assert parsed.footer_values("Release") == ("none",)


def test_body_without_footers_is_kept_whole():
    parsed = parse_message("docs: x\n\nfirst para\n\nsecond para")
    assert parsed.body == "first para\n\nsecond para"
    assert parsed.footers == ()


def test_header_only_and_empty():
    assert parse_message("").type is None
    assert parse_message("chore: x\n").footers == ()


@pytest.mark.parametrize(
    ("value", "items"),
    [("a, b", ["a", "b"]), ("a b,c", ["a", "b", "c"]), ("  ", [])],
)
def test_split_list(value: str, items: list[str]):
    assert split_list(value) == items


ADVERSARIAL = [
    "feat: x" + " \t" * 20_000 + "y",  # took 9 s with a lazy subject and a trailing \s*
    "feat(" + "a" * 100_000 + ": x",
    "feat" + "!" * 100_000 + ": y",
    "fix: " + "x " * 50_000,
    "x\n\n" + "BREAKING CHANGE" + " " * 50_000 + "\n\nRefs: " + "#1 " * 20_000,
]


@pytest.mark.parametrize("message", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_hostile_headers_parse_in_linear_time(message: str):
    import time

    from gitops_templates.hooks.core.commitlint import lint_message

    start = time.monotonic()
    parse_message(message)
    lint_message(message, types=["feat", "fix"], templates=["web"])
    assert time.monotonic() - start < 2.0  # quadratic patterns took 10-60 s on these


def test_the_subject_keeps_inner_whitespace():
    assert parse_message("feat: a  b\t c").subject == "a  b\t c"
