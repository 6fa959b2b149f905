"""Commit message lint for the `commit-msg` hook, with near-miss detection. Pure.

What the release engine would silently misread is an error: a header that is not
`type(scope)!: subject` (a missing colon or space named as such), an unknown type (with
the closest known one), `BREAKING CHANGES:` / `Breaking change:` / a breaking footer
without its colon or outside the final paragraph (none of which count), a body not
separated from the header, `Template:` / `Release-As:` naming no template. A scope that
is not a template, and a long header, are warnings. Git's own merge, revert, fixup and
squash messages are accepted as they are.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gitops_templates.core.conventional import FOOTER, parse_message, split_list
from gitops_templates.core.version_rules import release_as_problem

if TYPE_CHECKING:
    from collections.abc import Collection

STANDARD_TYPES = frozenset(
    [
        "build",
        "chore",
        "ci",
        "deps",
        "docs",
        "feat",
        "fix",
        "perf",
        "refactor",
        "revert",
        "style",
        "test",
    ]
)
BREAKING_HINT = "write the footer as `BREAKING-CHANGE: <what consumers must change>`"
_GIT_GENERATED = re.compile(
    r"^(Merge (pull request|branch|tag|remote-tracking branch|.* into )|Revert \"|Reapply \""
    r"|(fixup|squash|amend)! )"
)
_NEAR_BREAKING = re.compile(
    r"^\s*(?P<token>breaking[ _-]?changes?)\s*(?P<sep>:?)\s*(?P<rest>.*)$", re.IGNORECASE
)
_LOOSE_HEADER = re.compile(
    r"^(?P<type>[A-Za-z][A-Za-z0-9_-]*)(?:\((?P<scope>[^()]*)\))?(?P<bang>!)?"
)
MAX_HEADER = 100


@dataclass(frozen=True, slots=True)
class LintIssue:
    """One finding about a commit message."""

    level: str  # error | warning
    line: int
    rule: str
    message: str
    hint: str | None = None


def strip_comments(text: str, comment_char: str = "#") -> str:
    """The message git will store: comment lines and everything below a scissors line gone."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith(f"{comment_char} ------------------------ >8 ------------------------"):
            break
        if not line.startswith(comment_char):
            kept.append(line)
    return "\n".join(kept).strip("\n") + "\n"


def lint_message(
    text: str, *, types: Collection[str], templates: Collection[str]
) -> list[LintIssue]:
    """Issues of one commit message (comments already stripped)."""
    lines = text.rstrip("\n").split("\n")
    header = lines[0].strip() if lines else ""
    if not header:
        return [LintIssue("error", 1, "header-empty", "the commit message is empty")]
    if _GIT_GENERATED.match(header):
        return []
    issues = _header(header, set(types) | STANDARD_TYPES, set(templates))
    if len(lines) > 1 and lines[1].strip():
        issues.append(LintIssue("error", 2, "body-leading-blank",
                                "the body must be separated from the header by a blank line",
                                "leave the second line empty"))  # fmt: skip
    issues += _breaking_near_misses(lines)
    issues += _targets(lines, set(templates))
    return issues


def _header(header: str, types: set[str], templates: set[str]) -> list[LintIssue]:
    issues = []
    if len(header) > MAX_HEADER:
        size = f"the header has {len(header)} characters (> {MAX_HEADER})"
        issues.append(LintIssue("warning", 1, "header-max-length", size))
    parsed = parse_message(header)
    if parsed.type is None:
        return [*issues, _bad_header(header)]
    raw_type = header.split("(", 1)[0].split(":", 1)[0].rstrip("!")
    if raw_type != raw_type.lower():
        issues.append(LintIssue("error", 1, "type-case", f"type {raw_type!r} is not lower-case",
                                f"write `{raw_type.lower()}`"))  # fmt: skip
    if parsed.type not in types:
        close = difflib.get_close_matches(parsed.type, sorted(types), n=1)
        hint = (
            f"did you mean `{close[0]}`?" if close else f"known types: {', '.join(sorted(types))}"
        )
        issues.append(LintIssue("error", 1, "type-enum", f"unknown type {parsed.type!r}", hint))
    if parsed.scope and templates and parsed.scope not in templates:
        close = difflib.get_close_matches(parsed.scope, sorted(templates), n=1)
        issues.append(LintIssue(
            "warning", 1, "scope-not-template",
            f"scope {parsed.scope!r} is not a template: the commit is attributed by the "
            "paths it touches", f"did you mean `{close[0]}`?" if close else None,
        ))  # fmt: skip
    return issues


def _bad_header(header: str) -> LintIssue:
    loose = _LOOSE_HEADER.match(header)
    shape = "write the header as `type(scope): subject`, e.g. `fix(web): pin the image`"
    if loose is not None:
        after = header[loose.end() :]
        if after.startswith(":") and not after.startswith(": "):
            return LintIssue("error", 1, "header-format", "a space must follow the `:`", shape)
        if after.startswith(" ") or after == "":
            what = "scope" if loose["scope"] is not None else "type"
            return LintIssue("error", 1, "header-format", f"missing `:` after the {what}", shape)
        if after.startswith(" :"):
            return LintIssue("error", 1, "header-format", "no space before the `:`", shape)
    return LintIssue("error", 1, "header-format", "the header is not a Conventional Commit", shape)


def _breaking_near_misses(lines: list[str]) -> list[LintIssue]:
    """Breaking-change footers that do not count, and why."""
    parsed = parse_message("\n".join(lines))
    counted = {f.value.split("\n", 1)[0] for f in parsed.footers if f.token.startswith("BREAKING")}
    issues = []
    for number, line in enumerate(lines[1:], start=2):
        match = _NEAR_BREAKING.match(line)
        if match is None:
            continue
        token, sep, rest = match["token"], match["sep"], match["rest"].strip()
        exact = token in ("BREAKING CHANGE", "BREAKING-CHANGE") and sep and line.startswith(token)
        if exact and rest in counted:
            continue
        if exact:
            why = "is not in the final paragraph (the footer block), so it does not count"
        elif not sep:
            why = f"`{token}` without a `:` is prose, not a footer"
        else:
            why = f"`{token}:` is not a breaking-change footer (only `BREAKING CHANGE:` and " \
                "`BREAKING-CHANGE:`, upper case, count)"  # fmt: skip
        issues.append(LintIssue("error", number, "breaking-change-footer", why, BREAKING_HINT))
    return issues


def _targets(lines: list[str], templates: set[str]) -> list[LintIssue]:
    """`Template:`/`Release-As:` footers name known templates, `Release-As:` a tag version."""
    issues = []
    for number, line in enumerate(lines, start=1):
        match = FOOTER.match(line)
        if match is None or match["token"].lower() not in ("template", "release-as"):
            continue
        release_as = match["token"].lower() == "release-as"
        for item in split_list(match["value"]):
            cid, _, version = item.rpartition("@") if release_as else (item, "", "")
            if cid and templates and cid not in templates:
                what = f"{match['token']}: {cid!r} is not a template"
                issues.append(LintIssue("error", number, "unknown-template", what))
            problem = release_as_problem(version) if release_as else None
            if problem is not None:
                issues.append(LintIssue("error", number, "release-as-version",
                                        f"Release-As: {problem}", "write <id>@X.Y.Z"))  # fmt: skip
    return issues
