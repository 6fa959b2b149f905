"""Tag formats, levels and next versions, table-driven."""

from __future__ import annotations

import pytest
from semver import Version

from gitops_templates.core.conventional import parse_message
from gitops_templates.core.models import Level
from gitops_templates.core.version_rules import (
    BumpRules,
    TagFormat,
    TagFormatError,
    VersionLine,
    level_between,
    next_version,
)

TAGS = [
    # format, tag, parsed
    ("{id}@{version}", "web@1.2.3", ("web", "1.2.3")),
    ("{id}@{version}", "aws-dns@1.0.0", ("aws-dns", "1.0.0")),
    ("{id}@{version}", "web@1.2.3-rc.1", ("web", "1.2.3-rc.1")),
    ("{id}@{version}", "web@v1.2.3", None),
    ("{id}@{version}", "web@1.2", None),
    ("{id}@{version}", "web@01.2.3", None),
    ("{id}@{version}", "x/web@1.2.3", None),
    ("{id}@{version}", "Web@1.2.3", None),
    ("{id}-v{version}", "aws-dns-v1.0.0", ("aws-dns", "1.0.0")),
    ("{id}/{version}", "web/2.0.0", ("web", "2.0.0")),
    ("v{version}", "v1.0.0", (None, "1.0.0")),
    ("v{version}", "web@1.0.0", None),
]


@pytest.mark.parametrize(("fmt", "tag", "parsed"), TAGS)
def test_tag_format_parse_is_anchored(fmt: str, tag: str, parsed: tuple[str | None, str] | None):
    assert TagFormat.compile(fmt).parse(tag) == parsed


def test_aws_never_matches_aws_dns():
    fmt = TagFormat.compile("{id}@{version}")
    parsed = fmt.parse("aws-dns@1.0.0")
    assert parsed is not None
    assert parsed[0] != "aws"


@pytest.mark.parametrize(
    "fmt", ["{id}", "{version}{version}", "{id}{id}@{version}", "{id} {version}", "{id}..{version}"]
)
def test_bad_tag_formats(fmt: str):
    with pytest.raises(TagFormatError):
        TagFormat.compile(fmt)


def test_render_round_trip():
    fmt = TagFormat.compile("{id}-v{version}")
    assert fmt.render("web", "1.0.0") == "web-v1.0.0"
    assert fmt.parse(fmt.render("web", "1.0.0")) == ("web", "1.0.0")


LEVELS = [
    ("feat: x", {}, Level.MINOR),
    ("fix: x", {}, Level.PATCH),
    ("perf: x", {}, Level.PATCH),
    ("docs: x", {}, Level.NONE),
    ("refactor: x", {}, Level.NONE),
    ("refactor: x", {"refactor": Level.PATCH}, Level.PATCH),
    ("revert: x", {"revert": Level.PATCH}, Level.PATCH),
    ("chore!: x", {}, Level.MAJOR),
    ("docs: x\n\nBREAKING-CHANGE: y", {}, Level.MAJOR),
    ("not conventional", {}, Level.NONE),
]


@pytest.mark.parametrize(("message", "extra", "level"), LEVELS)
def test_commit_level(message: str, extra: dict[str, Level], level: Level):
    rules = BumpRules(
        bump_types={"feat": Level.MINOR, "fix": Level.PATCH, "perf": Level.PATCH, **extra}
    )
    assert rules.commit_level(parse_message(message))[0] is level


def v(text: str | None) -> Version | None:
    return Version.parse(text) if text else None


DEFAULT = BumpRules()
STRICT_ZERO = BumpRules(zero_breaking=Level.MAJOR)
PATCH_ZERO = BumpRules(zero_feat=Level.PATCH)
ONE = BumpRules(initial="1.0.0")

NEXT = [
    # rules, release, pre, level, token, fresh, expected
    (DEFAULT, None, None, Level.MINOR, None, True, "0.1.0"),
    (DEFAULT, None, None, Level.PATCH, None, True, "0.1.0"),
    (DEFAULT, None, None, Level.NONE, None, True, None),
    (ONE, None, None, Level.MAJOR, None, True, "1.0.0"),
    (DEFAULT, "1.2.3", None, Level.PATCH, None, True, "1.2.4"),
    (DEFAULT, "1.2.3", None, Level.MINOR, None, True, "1.3.0"),
    (DEFAULT, "1.2.3", None, Level.MAJOR, None, True, "2.0.0"),
    (DEFAULT, "1.2.3", None, Level.NONE, None, True, None),
    # 0.x rules
    (DEFAULT, "0.3.1", None, Level.MAJOR, None, True, "0.4.0"),
    (DEFAULT, "0.3.1", None, Level.MINOR, None, True, "0.4.0"),
    (STRICT_ZERO, "0.3.1", None, Level.MAJOR, None, True, "1.0.0"),
    (PATCH_ZERO, "0.3.1", None, Level.MINOR, None, True, "0.3.2"),
    (PATCH_ZERO, "0.3.1", None, Level.MAJOR, None, True, "0.4.0"),
    # prereleases
    (DEFAULT, "1.2.3", None, Level.MINOR, "rc", True, "1.3.0-rc.1"),
    (DEFAULT, "1.2.3", "1.3.0-rc.1", Level.MINOR, "rc", True, "1.3.0-rc.2"),
    (DEFAULT, "1.2.3", "1.3.0-rc.2", Level.PATCH, "rc", True, "1.3.0-rc.3"),
    (DEFAULT, "1.2.3", "1.3.0-rc.2", Level.MINOR, "rc", False, None),
    (DEFAULT, "1.2.3", "1.3.0-rc.9", Level.MINOR, "rc", True, "1.3.0-rc.10"),
    (DEFAULT, "1.2.3", "1.3.0-rc.2", Level.MINOR, None, False, "1.3.0"),
    (DEFAULT, "1.2.3", "1.2.4-rc.1", Level.MINOR, "rc", True, "1.3.0-rc.1"),
    (DEFAULT, "1.2.3", "1.2.4-rc.1", Level.MINOR, None, True, "1.3.0"),
    (DEFAULT, "1.2.3", "1.3.0-beta.2", Level.MINOR, "rc", True, "1.3.0-rc.1"),
    (DEFAULT, None, None, Level.MINOR, "rc", True, "0.1.0-rc.1"),
    (DEFAULT, None, "0.1.0-rc.1", Level.MINOR, None, False, "0.1.0"),
]


@pytest.mark.parametrize(("rules", "release", "pre", "level", "token", "fresh", "expected"), NEXT)
def test_next_version(
    rules: BumpRules,
    release: str | None,
    pre: str | None,
    level: Level,
    token: str | None,
    fresh: bool,
    expected: str | None,
):
    line = VersionLine(v(release), v(pre))
    result = next_version(line, level, rules, pre_token=token, new_since_prerelease=fresh)
    assert (str(result.version) if result else None) == expected


def test_prerelease_token_that_sorts_below_is_refused():
    line = VersionLine(v("1.2.3"), v("1.3.0-rc.1"))
    with pytest.raises(ValueError, match="sort below"):
        next_version(line, Level.MINOR, DEFAULT, pre_token="beta")


def test_version_line_prereleases_below_their_release():
    line = VersionLine.from_versions(
        [Version.parse(x) for x in ["1.0.0", "1.1.0-rc.1", "1.1.0", "1.2.0-rc.1"]]
    )
    assert line.latest_release == Version.parse("1.1.0")
    assert line.latest_prerelease == Version.parse("1.2.0-rc.1")
    assert line.current == Version.parse("1.2.0-rc.1")
    assert (
        VersionLine.from_versions(
            [Version.parse("1.1.0-rc.1"), Version.parse("1.1.0")]
        ).latest_prerelease
        is None
    )


@pytest.mark.parametrize(
    ("old", "new", "level"),
    [("1.0.0", "2.0.0", Level.MAJOR), ("1.0.0", "1.1.0", Level.MINOR), ("1.0.0", "1.0.1", Level.PATCH),
     (None, "0.1.0", Level.MINOR), ("1.1.0-rc.1", "1.1.0", Level.NONE)],
)  # fmt: skip
def test_level_between(old: str | None, new: str, level: Level):
    assert level_between(v(old), Version.parse(new)) is level


def test_precedence_key_orders_like_semver():
    import functools
    import random

    from gitops_templates.core.version_rules import precedence

    texts = [
        "1.0.0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "0.9.9",
        "1.0.1",
        "1.10.0",
        "1.2.0",
        "2.0.0-0",
        "2.0.0-1",
        "2.0.0-a",
        "10.0.0",
        "1.0.0-rc.1.x",
        "1.0.0-rc.10",
    ]
    versions = [Version.parse(t) for t in texts]
    random.Random(3).shuffle(versions)

    def cmp(a: Version, b: Version) -> int:
        return a.compare(b)

    by_semver = sorted(versions, key=functools.cmp_to_key(cmp))
    assert sorted(versions, key=precedence) == by_semver
