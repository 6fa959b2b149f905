"""Commit message lint: one row per rule and near-miss, errors vs warnings."""

from __future__ import annotations

import pytest

from gitops_templates.hooks.core.commitlint import LintIssue, lint_message, strip_comments

TYPES = {"feat", "fix", "perf"}
TEMPLATES = {"web", "db"}

ROWS = [
    ("fine", "feat(web): add a port\n\nBody.\n\nBREAKING-CHANGE: port is required\n", []),
    ("fine, no scope", "fix: typo\n", []),
    ("git merge", "Merge branch 'x' into main\n", []),
    ("git revert", 'Revert "feat(web): add a port"\n\nThis reverts commit abc.\n', []),
    ("fixup", "fixup! feat(web): add a port\n", []),
    ("empty", "\n", [("error", 1, "header-empty")]),
    ("missing colon", "feat(web) add a port\n", [("error", 1, "header-format")]),
    ("missing colon, no scope", "feat add a port\n", [("error", 1, "header-format")]),
    ("no space after colon", "feat:add a port\n", [("error", 1, "header-format")]),
    ("free text", "added a port\n", [("error", 1, "header-format")]),
    ("unknown type", "feature(web): add a port\n", [("error", 1, "type-enum")]),
    ("upper-case type", "Fix(web): typo\n", [("error", 1, "type-case")]),
    ("scope not a template", "fix(wbe): typo\n", [("warning", 1, "scope-not-template")]),
    ("long header", "fix: " + "x" * 100 + "\n", [("warning", 1, "header-max-length")]),
    ("no blank line", "fix: typo\nmore text\n", [("error", 2, "body-leading-blank")]),
    ("BREAKING CHANGES", "feat: x\n\nBREAKING CHANGES: port\n", [("error", 3, "breaking-change-footer")]),
    ("lower-case breaking", "feat: x\n\nBreaking change: port\n", [("error", 3, "breaking-change-footer")]),
    ("breaking without colon", "feat: x\n\nBREAKING CHANGE port is gone\n", [("error", 3, "breaking-change-footer")]),
    ("breaking in the body", "feat: x\n\nBREAKING CHANGE: port\n\nRefs: #1\nmore prose\n\nprose\n",
     [("error", 3, "breaking-change-footer")]),
    ("BREAKING CHANGE with space counts", "feat: x\n\nBREAKING CHANGE: port\n", []),
    ("unknown Template target", "fix: x\n\nTemplate: web, nope\n", [("error", 3, "unknown-template")]),
    ("unknown Release-As target", "fix: x\n\nRelease-As: nope@1.0.0\n", [("error", 3, "unknown-template")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_lint_rows(text, expected):
    found = [
        (i.level, i.line, i.rule) for i in lint_message(text, types=TYPES, templates=TEMPLATES)
    ]
    assert found == expected


def test_near_misses_carry_the_hyphenated_hint_and_a_suggestion():
    [issue] = lint_message("feat: x\n\nBREAKING CHANGES: y\n", types=TYPES, templates=TEMPLATES)
    assert "BREAKING-CHANGE:" in (issue.hint or "")
    [typo] = lint_message("fxi: y\n", types=TYPES, templates=TEMPLATES)
    assert typo.hint == "did you mean `fix`?"


def test_comments_and_the_scissors_are_stripped():
    text = "fix: x\n# Please enter the commit message\n# ------------------------ >8 ------------------------\ndiff --git\n"
    assert strip_comments(text) == "fix: x\n"
    assert strip_comments("fix: x\n; note\n", ";") == "fix: x\n"


def test_the_aborted_line_names_the_file_git_gave(tmp_path):
    from gitops_templates.cli._hooktext import commit_msg_lines
    from gitops_templates.hooks.handlers import MessageLint

    bad = MessageLint("/work/x/.git/worktrees/w/COMMIT_EDITMSG", (LintIssue("error", 1, "r", "m"),))
    assert commit_msg_lines(bad)[-1] == (
        "commit aborted; the message is kept in /work/x/.git/worktrees/w/COMMIT_EDITMSG"
    )
    assert commit_msg_lines(MessageLint("MSG", ())) == []


@pytest.mark.parametrize(
    ("footer", "rule"),
    [("Release-As: web@2.0.0+build.1", "release-as-version"),
     ("Release-As: web@banana", "release-as-version"),
     ("Release-As: nope@1.0.0", "unknown-template")],
)  # fmt: skip
def test_release_as_footers_that_plan_would_refuse_are_errors(footer: str, rule: str):
    issues = lint_message(f"fix(web): x\n\n{footer}\n", types=["fix"], templates=["web"])
    assert [(i.level, i.rule) for i in issues] == [("error", rule)]


def test_a_good_release_as_passes():
    assert lint_message("fix(web): x\n\nRelease-As: web@2.0.0-rc.1\n", types=["fix"],
                        templates=["web"]) == []  # fmt: skip
