"""Planning from hand-built commits and tags: unreleased changes, levels, next versions."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from gitops_templates.core.attribution import Attributor
from gitops_templates.core.conventional import parse_message
from gitops_templates.core.models import CommitMessage, CommitRecord, Component, Level, TagRecord
from gitops_templates.core.planning import (
    Analysis,
    Collected,
    ComponentState,
    conclude,
    escalate,
)
from gitops_templates.core.tags import read_versions
from gitops_templates.core.version_rules import BumpRules
from gitops_templates.core.walking import advance, collect
from gitops_templates.errors import InvalidInputError

WEB = Component("web", "templates/web", "{id}@{version}")
API = Component("api", "templates/api", "{id}@{version}")
COMPONENTS = (API, WEB)
RULES = BumpRules()
MAJOR_IN_ZERO = BumpRules(zero_breaking=Level.MAJOR)
PATCH_FEAT_IN_ZERO = BumpRules(zero_feat=Level.PATCH)

WEB_FILE = "templates/web/body.yaml.j2"
API_FILE = "templates/api/body.yaml.j2"


def sha(n: int) -> str:
    """A distinct 40-hex id whose 7- and 12-character prefixes are distinct too."""
    return (f"{n:04x}" * 10)[:40]


def parse(commit: CommitRecord) -> CommitMessage:
    return parse_message(commit.message)


def linear(*specs: tuple[str, Sequence[str]], start: int = 1, parent: str | None = None):
    """Commits oldest first in `specs`; returned newest first like `git log --topo-order`."""
    commits = []
    parents: tuple[str, ...] = (parent,) if parent else ()
    for offset, (message, files) in enumerate(specs):
        n = start + offset
        commit = CommitRecord(
            sha(n), parents, "Dev", "dev@example.com", 1000 + n, 2000 + n, message, tuple(files)
        )
        commits.append(commit)
        parents = (commit.sha,)
    return commits[::-1]


def tag(name: str, commit: str) -> TagRecord:
    return TagRecord(name, "f" * 40, commit, True, None, 3000, None)


def run_collect(
    commits: Sequence[CommitRecord],
    tags: Sequence[TagRecord] = (),
    *,
    rules: BumpRules = RULES,
    components: Sequence[Component] = COMPONENTS,
    merges_skipped: bool = True,
) -> Collected:
    return collect(
        head=commits[0].sha,
        components=components,
        tags=tags,
        commits=commits,
        rules=rules,
        attributor=Attributor(components),
        parse=parse,
        merges_skipped=merges_skipped,
    )


def analyze(
    commits: Sequence[CommitRecord],
    tags: Sequence[TagRecord] = (),
    *,
    rules: BumpRules = RULES,
    pre_token: str | None = None,
    selected: Sequence[str] = ("api", "web"),
    merges_skipped: bool = True,
) -> Analysis:
    collected = run_collect(commits, tags, rules=rules, merges_skipped=merges_skipped)
    versions, notices = read_versions(COMPONENTS, tags, set(collected.reachable_tags))
    return conclude(
        collected,
        components=COMPONENTS,
        selected=selected,
        versions=versions,
        notices=notices,
        rules=rules,
        pre_token=pre_token,
    )


def state_of(analysis: Analysis, cid: str) -> ComponentState:
    [state] = [s for s in analysis.states if s.component.id == cid]
    return state


def next_of(analysis: Analysis, cid: str) -> str | None:
    nxt = state_of(analysis, cid).next
    return str(nxt.version) if nxt else None


def test_only_commits_after_the_release_tag_are_unreleased():
    commits = linear(
        ("feat(web): one", [WEB_FILE]),
        ("fix(web): two", [WEB_FILE]),
        ("feat(web): three", [WEB_FILE]),
        ("fix(web): four", [WEB_FILE]),
    )
    analysis = analyze(commits, [tag("web@1.0.0", sha(2))])
    web = state_of(analysis, "web")
    assert [c.sha for c in web.changes] == [sha(4), sha(3)]  # newest first
    assert [c.subject for c in web.changes] == ["four", "three"]
    assert web.current is not None
    assert str(web.current.version) == "1.0.0"
    assert web.level is Level.MINOR
    assert next_of(analysis, "web") == "1.1.0"
    assert state_of(analysis, "api").changes == ()
    assert next_of(analysis, "api") is None
    assert analysis.head == sha(4)
    assert analysis.head_time == 2004


def test_nothing_after_the_release_tag_means_no_next_version():
    commits = linear(("feat(web): one", [WEB_FILE]), ("fix(web): two", [WEB_FILE]))
    analysis = analyze(commits, [tag("web@1.0.0", sha(2))])
    web = state_of(analysis, "web")
    assert web.changes == ()
    assert web.next is None
    assert web.level is Level.NONE


def test_history_every_latest_release_contains_changes_nothing():
    commits = linear(
        ("feat: both", [WEB_FILE, API_FILE]),
        ("fix(web): one", [WEB_FILE]),
        ("fix(api): two", [API_FILE]),
        ("feat(api): three", [API_FILE]),
    )
    tags = [tag("web@1.0.0", sha(3)), tag("api@2.0.0", sha(3)), tag("api@1.0.0", sha(1))]
    collected = run_collect(commits, tags)
    assert collected.changes == {"api": (collected.changes["api"][0],), "web": ()}
    assert collected.changes["api"][0].sha == sha(4)
    assert collected.reachable_tags == frozenset({sha(1), sha(3)})


def test_unreleased_component_gets_the_initial_version():
    analysis = analyze(linear(("fix(web): first", [WEB_FILE])))
    web = state_of(analysis, "web")
    assert web.current is None
    assert next_of(analysis, "web") == "0.1.0"
    assert web.next is not None
    assert web.next.reason.startswith("first release")


LEVELS = [
    # current version, rules, commit message, declared level, next version
    ("1.2.3", RULES, "fix(web): x", Level.PATCH, "1.2.4"),
    ("1.2.3", RULES, "perf(web): x", Level.PATCH, "1.2.4"),
    ("1.2.3", RULES, "feat(web): x", Level.MINOR, "1.3.0"),
    ("1.2.3", RULES, "feat(web)!: x", Level.MAJOR, "2.0.0"),
    ("1.2.3", RULES, "fix(web): x\n\nBREAKING CHANGE: gone", Level.MAJOR, "2.0.0"),
    ("1.2.3", RULES, "chore(web): x\n\nBREAKING-CHANGE: gone", Level.MAJOR, "2.0.0"),
    ("1.2.3", RULES, "chore(web): x", Level.NONE, None),
    ("1.2.3", RULES, "docs: x", Level.NONE, None),
    ("1.2.3", RULES, "Update the web template", Level.NONE, None),
    ("0.3.1", RULES, "fix(web): x", Level.PATCH, "0.3.2"),
    ("0.3.1", RULES, "feat(web): x", Level.MINOR, "0.4.0"),
    ("0.3.1", RULES, "feat(web)!: x", Level.MAJOR, "0.4.0"),  # zero_major.breaking: minor
    ("0.3.1", MAJOR_IN_ZERO, "feat(web)!: x", Level.MAJOR, "1.0.0"),
    ("0.3.1", PATCH_FEAT_IN_ZERO, "feat(web): x", Level.MINOR, "0.3.2"),
    ("0.3.1", PATCH_FEAT_IN_ZERO, "feat(web)!: x", Level.MAJOR, "0.4.0"),
    ("1.0.0", PATCH_FEAT_IN_ZERO, "feat(web): x", Level.MINOR, "1.1.0"),  # only in 0.x
]


@pytest.mark.parametrize(("current", "rules", "message", "level", "expected"), LEVELS)
def test_level_and_next_version_follow_the_conventional_type(
    current: str, rules: BumpRules, message: str, level: Level, expected: str | None
):
    commits = linear(("feat(web): base", [WEB_FILE]), (message, [WEB_FILE]))
    analysis = analyze(commits, [tag(f"web@{current}", sha(1))], rules=rules)
    web = state_of(analysis, "web")
    assert web.level is level
    assert [c.level for c in web.changes] == [level]
    assert next_of(analysis, "web") == expected


def test_highest_level_wins_and_the_reason_names_its_commit():
    commits = linear(
        ("feat(web): base", [WEB_FILE]),
        ("fix(web): a", [WEB_FILE]),
        ("feat(web)!: b", [WEB_FILE]),
        ("feat(web): c", [WEB_FILE]),
    )
    analysis = analyze(commits, [tag("web@1.0.0", sha(1))])
    web = state_of(analysis, "web")
    assert web.next is not None
    assert str(web.next.version) == "2.0.0"
    assert sha(3)[:7] in web.next.reason
    assert "breaking change" in web.next.reason


RELEASE_NONE = [
    # messages after web@1.0.0, next version
    (["feat(web): x\n\nRelease: none"], None),
    (["feat(web): x\n\nRelease: NONE"], None),
    (["feat(web)!: x\n\nRelease: none"], None),
    (["fix(web): y", "feat(web): x\n\nRelease: none"], "1.0.1"),
    (["feat(web): x\n\nRelease: none", "fix(web): y"], "1.0.1"),
    (["feat(web): x\n\nRelease: minor"], "1.1.0"),  # only `none` skips
]


@pytest.mark.parametrize(("messages", "expected"), RELEASE_NONE)
def test_release_none_footer_skips_the_commit(messages: list[str], expected: str | None):
    specs = [("feat(web): base", [WEB_FILE]), *((m, [WEB_FILE]) for m in messages)]
    analysis = analyze(linear(*specs), [tag("web@1.0.0", sha(1))])
    web = state_of(analysis, "web")
    assert next_of(analysis, "web") == expected
    skipped = [c for c in web.changes if c.skipped]
    assert all(c.rule == "`Release: none` footer" for c in skipped)
    assert all(not c.releasable for c in skipped)
    assert len(web.changes) == len(messages)  # still listed as unreleased


def test_release_none_commit_is_not_fresh_since_a_prerelease():
    commits = linear(
        ("feat(web): base", [WEB_FILE]),
        ("feat(web): new", [WEB_FILE]),
        ("fix(web): tidy\n\nRelease: none", [WEB_FILE]),
    )
    tags = [tag("web@1.0.0", sha(1)), tag("web@1.1.0-rc.1", sha(2))]
    assert run_collect(commits, tags).fresh["web"] is False
    assert next_of(analyze(commits, tags, pre_token="rc"), "web") is None


RELEASE_AS = [
    # commit message (touching web), pre_token, next version, forced by the footer
    ("chore(web): bump\n\nRelease-As: web@2.0.0", None, "2.0.0", True),
    ("chore(web): bump\n\nRelease-As: 2.0.0", None, "2.0.0", True),  # bare: one-target commit
    ("chore(web): bump\n\nRelease-As: web@v3.1.0", None, "3.1.0", True),
    ("chore(web): bump\n\nRelease-As: api@5.0.0, web@2.5.0", None, "2.5.0", True),
    ("fix(web): bump\n\nRelease-As: web@2.0.0", "rc", "2.0.0-rc.1", True),
    ("fix(web): bump\n\nRelease-As: db@9.0.0", None, "1.0.1", False),  # not a component
]


@pytest.mark.parametrize(("message", "pre_token", "expected", "forced"), RELEASE_AS)
def test_release_as_forces_the_next_version(
    message: str, pre_token: str | None, expected: str, forced: bool
):
    commits = linear(("feat(web): base", [WEB_FILE]), (message, [WEB_FILE]))
    analysis = analyze(commits, [tag("web@1.0.0", sha(1))], pre_token=pre_token)
    nxt = state_of(analysis, "web").next
    assert nxt is not None
    assert str(nxt.version) == expected
    assert (nxt.reason == f"Release-As footer in {sha(2)[:7]}") is forced


@pytest.mark.parametrize("value", ["web@not-a-version", "web@2.0.0+build.1", "web@1.2"])
def test_a_release_as_that_is_no_tag_version_is_invalid_input(value: str):
    commits = linear(
        ("feat(web): base", [WEB_FILE]), (f"fix(web): b\n\nRelease-As: {value}", [WEB_FILE])
    )
    with pytest.raises(InvalidInputError, match="Release-As: "):
        analyze(commits, [tag("web@1.0.0", sha(1))])


def test_release_as_newest_request_wins():
    commits = linear(
        ("feat(web): base", [WEB_FILE]),
        ("chore(web): a\n\nRelease-As: web@2.0.0", [WEB_FILE]),
        ("chore(web): b\n\nRelease-As: web@4.0.0", [WEB_FILE]),
    )
    assert next_of(analyze(commits, [tag("web@1.0.0", sha(1))]), "web") == "4.0.0"


def test_release_as_names_a_component_the_commit_does_not_touch():
    commits = linear(
        ("feat(web): base", [WEB_FILE]),
        ("chore: set api\n\nRelease-As: api@3.0.0", ["README.md"]),
    )
    analysis = analyze(commits, [tag("web@1.0.0", sha(1))])
    assert next_of(analysis, "api") == "3.0.0"
    assert next_of(analysis, "web") is None
    [change] = state_of(analysis, "api").changes
    assert change.release_as == ("api@3.0.0",)


def test_bare_release_as_on_a_commit_of_two_components_is_ignored():
    commits = linear(
        ("feat: base", [WEB_FILE, API_FILE]),
        ("fix: both\n\nRelease-As: 9.0.0", [WEB_FILE, API_FILE]),
    )
    analysis = analyze(commits, [tag("web@1.0.0", sha(1)), tag("api@1.0.0", sha(1))])
    assert (next_of(analysis, "web"), next_of(analysis, "api")) == ("1.0.1", "1.0.1")
    assert all(c.release_as == () for s in analysis.states for c in s.changes)


@pytest.mark.parametrize("target", ["1.0.0", "0.9.0"])
def test_release_as_not_above_the_current_version_is_invalid_input(target: str):
    commits = linear(
        ("feat(web): base", [WEB_FILE]),
        (f"fix(web): x\n\nRelease-As: web@{target}", [WEB_FILE]),
    )
    with pytest.raises(InvalidInputError, match=r"not above web's current version 1\.0\.0"):
        analyze(commits, [tag("web@1.0.0", sha(1))])


ATTRIBUTION = [
    # files, message, components that get the change
    ([WEB_FILE, API_FILE], "fix: shared", {"api", "web"}),
    ([WEB_FILE], "fix: web\n\nTemplate: api", {"api", "web"}),
    (["README.md"], "fix: docs\n\nTemplate: web, api", {"api", "web"}),
    (["README.md"], "fix: docs", set()),
    (["templates/webby/x.j2"], "fix: not web", set()),  # directory prefix is not enough
    (["templates/web/sub/dir/x.j2"], "fix: nested", {"web"}),
]


@pytest.mark.parametrize(("files", "message", "owners"), ATTRIBUTION)
def test_a_commit_counts_for_every_component_it_belongs_to(
    files: list[str], message: str, owners: set[str]
):
    commits = linear(("feat: base", [WEB_FILE, API_FILE]), (message, files))
    analysis = analyze(commits, [tag("web@1.0.0", sha(1)), tag("api@1.0.0", sha(1))])
    got = {s.component.id for s in analysis.states if s.changes}
    assert got == owners
    for cid in owners:
        assert next_of(analysis, cid) == "1.0.1"
        assert [c.sha for c in state_of(analysis, cid).changes] == [sha(2)]


def test_a_shared_commit_is_unreleased_only_where_no_release_contains_it():
    commits = linear(
        ("feat: shared", [WEB_FILE, API_FILE]),
        ("fix(web): later", [WEB_FILE]),
    )
    analysis = analyze(commits, [tag("api@1.0.0", sha(1))])
    assert [c.sha for c in state_of(analysis, "web").changes] == [sha(2), sha(1)]
    assert state_of(analysis, "api").changes == ()
    assert next_of(analysis, "web") == "0.1.0"
    assert next_of(analysis, "api") is None


def test_unknown_template_trailer_is_a_notice():
    commits = linear(("fix: x\n\nTemplate: nosuch", [WEB_FILE]))
    analysis = analyze(commits)
    codes = [(n.code, n.subject) for n in analysis.notices]
    assert ("unknown-template-trailer", "nosuch") in codes


@pytest.mark.parametrize(
    ("selected", "kept"),
    [(["api", "web"], True), (["api"], True), (["web"], False)],
)
def test_scope_mismatch_notice_is_kept_only_for_selected_scopes(selected: list[str], kept: bool):
    commits = linear(("fix(api): actually web", [WEB_FILE]))
    analysis = analyze(commits, selected=selected)
    found = [n for n in analysis.notices if n.code == "scope-mismatch"]
    assert bool(found) is kept
    assert [s.component.id for s in analysis.states] == selected


def test_merge_commits_count_only_when_walking_first_parents():
    base = linear(("feat(web): base", [WEB_FILE]))
    side = CommitRecord(sha(2), (sha(1),), "Dev", "d@x", 1, 1, "chore: side", ("README.md",))
    merge = CommitRecord(
        sha(3), (sha(1), sha(2)), "Dev", "d@x", 2, 2, "feat(web): merge", (WEB_FILE,)
    )
    commits = [merge, side, *base]
    tags = [tag("web@1.0.0", sha(1))]
    assert next_of(analyze(commits, tags), "web") is None
    assert next_of(analyze(commits, tags, merges_skipped=False), "web") == "1.1.0"


def test_tag_not_reachable_from_head_is_ignored_for_the_current_version():
    commits = linear(("feat(web): base", [WEB_FILE]), ("fix(web): x", [WEB_FILE]))
    elsewhere = tag("web@5.0.0", sha(99))
    analysis = analyze(commits, [tag("web@1.0.0", sha(1)), elsewhere])
    web = state_of(analysis, "web")
    assert [str(v.version) for v in web.versions] == ["5.0.0", "1.0.0"]
    assert web.current is not None
    assert str(web.current.version) == "1.0.0"
    assert next_of(analysis, "web") == "1.0.1"
    assert ("unreachable-tag", "web") in [(n.code, n.subject) for n in analysis.notices]


PRERELEASES = [
    # tags (name, commit number), pre_token, next version
    ([("web@1.0.0", 1)], "rc", "1.1.0-rc.1"),
    ([("web@1.0.0", 1), ("web@1.1.0-rc.1", 2)], "rc", "1.1.0-rc.2"),  # feat after rc.1
    ([("web@1.0.0", 1), ("web@1.1.0-rc.1", 3)], "rc", None),  # nothing new since rc.1
    ([("web@1.0.0", 1), ("web@1.1.0-rc.1", 3)], None, "1.1.0"),  # finalise
    ([("web@1.0.0", 1), ("web@1.1.0-rc.1", 2)], None, "1.1.0"),
    ([("web@1.0.0", 1), ("web@1.1.0-beta.2", 2)], "rc", "1.1.0-rc.1"),
    ([("web@1.0.0", 1), ("web@2.0.0-rc.1", 2)], "rc", "2.0.0-rc.2"),  # a major rc covers it
    ([("web@1.0.0", 1), ("web@1.0.1-rc.1", 2)], "rc", "1.1.0-rc.1"),  # feat outgrows a patch rc
]


@pytest.mark.parametrize(("tags", "pre_token", "expected"), PRERELEASES)
def test_prereleases_count_on_and_finalise(
    tags: list[tuple[str, int]], pre_token: str | None, expected: str | None
):
    commits = linear(
        ("feat(web): base", [WEB_FILE]),
        ("fix(web): a", [WEB_FILE]),
        ("feat(web): b", [WEB_FILE]),
    )
    records = [tag(name, sha(n)) for name, n in tags]
    analysis = analyze(commits, records, pre_token=pre_token)
    assert next_of(analysis, "web") == expected
    # commits in a prerelease but in no release are still unreleased
    assert [c.sha for c in state_of(analysis, "web").changes] == [sha(3), sha(2)]


def test_prerelease_token_sorting_below_the_existing_one_is_invalid_input():
    commits = linear(("feat(web): base", [WEB_FILE]), ("feat(web): b", [WEB_FILE]))
    tags = [tag("web@1.0.0", sha(1)), tag("web@1.1.0-rc.1", sha(2))]
    with pytest.raises(
        InvalidInputError, match=r"web: prerelease 1\.1\.0-beta\.1 would sort below"
    ):
        analyze(commits, tags, pre_token="beta")


def test_fresh_says_whether_releasable_commits_follow_the_prerelease():
    commits = linear(
        ("feat: base", [WEB_FILE, API_FILE]),
        ("feat: both", [WEB_FILE, API_FILE]),
        ("fix(web): later", [WEB_FILE]),
    )
    tags = [
        tag("web@1.0.0", sha(1)),
        tag("api@1.0.0", sha(1)),
        tag("web@1.1.0-rc.1", sha(2)),
        tag("api@1.1.0-rc.1", sha(2)),
    ]
    collected = run_collect(commits, tags)
    assert collected.fresh == {"web": True, "api": False}
    assert collected.reachable_tags == frozenset({sha(1), sha(2)})


BASE = [
    ("feat: base", [WEB_FILE, API_FILE]),
    ("fix(web): one", [WEB_FILE]),
    ("feat(api): two", [API_FILE]),
]
BASE_TAGS = [
    [],
    [tag("web@1.0.0", sha(1)), tag("api@1.0.0", sha(1))],
    [tag("web@1.0.0", sha(1)), tag("web@1.0.1-rc.1", sha(2)), tag("api@0.2.0", sha(1))],
]
NEW = [
    [("fix(web): three", [WEB_FILE])],
    [("feat: four\n\nTemplate: web, api", ["README.md"]), ("fix(web): five", [WEB_FILE])],
    [("chore(web): six\n\nRelease: none", [WEB_FILE])],
    [("fix(web): seven\n\nRelease-As: web@3.0.0", [WEB_FILE]), ("docs: eight", ["x.md"])],
    [("feat(api)!: nine", [API_FILE])],
]


@pytest.mark.parametrize("tags", BASE_TAGS, ids=["untagged", "released", "prerelease"])
@pytest.mark.parametrize("new", NEW)
def test_advance_equals_a_fresh_collect_of_the_extended_history(
    tags: list[TagRecord], new: list[tuple[str, list[str]]]
):
    old = linear(*BASE)
    added = linear(*new, start=len(BASE) + 1, parent=old[0].sha)
    prior = run_collect(old, tags)
    advanced = advance(
        prior,
        head=added[0].sha,
        new_commits=added,
        rules=RULES,
        attributor=Attributor(COMPONENTS),
        parse=parse,
    )
    fresh = run_collect([*added, *old], tags)
    assert advanced.head == fresh.head == added[0].sha
    assert advanced.head_time == fresh.head_time
    assert advanced.reachable_tags == fresh.reachable_tags
    assert dict(advanced.changes) == dict(fresh.changes)
    assert dict(advanced.fresh) == dict(fresh.fresh)
    # Notices hold the same items; `advance` appends newer commits' notices after the
    # prior ones while a full walk lists them newest first (see the report).
    assert sorted(advanced.notices, key=repr) == sorted(fresh.notices, key=repr)


def test_advance_skips_merges_like_collect():
    old = linear(("feat(web): base", [WEB_FILE]))
    side = CommitRecord(sha(2), (sha(1),), "Dev", "d@x", 1, 1, "fix(web): side", (WEB_FILE,))
    merge = CommitRecord(
        sha(3), (sha(1), sha(2)), "Dev", "d@x", 2, 2, "feat(web): merge", (WEB_FILE,)
    )
    tags = [tag("web@1.0.0", sha(1))]
    advanced = advance(
        run_collect(old, tags),
        head=merge.sha,
        new_commits=[merge, side],
        rules=RULES,
        attributor=Attributor(COMPONENTS),
        parse=parse,
    )
    assert [c.sha for c in advanced.changes["web"]] == [sha(2)]
    assert advanced.changes == run_collect([merge, side, *old], tags).changes


def test_advance_ignores_components_prior_did_not_know():
    old = linear(("feat(web): base", [WEB_FILE]))
    prior = run_collect(old, components=[WEB])
    added = linear(("fix: both", [WEB_FILE, API_FILE]), start=2, parent=sha(1))
    advanced = advance(
        prior,
        head=sha(2),
        new_commits=added,
        rules=RULES,
        attributor=Attributor(COMPONENTS),
        parse=parse,
    )
    assert set(advanced.changes) == {"web"}
    assert [c.sha for c in advanced.changes["web"]] == [sha(2), sha(1)]


ESCALATIONS = [
    # current version, commit, required level, pre_token, new level, next version
    ("1.0.0", "fix(web): x", Level.MINOR, None, Level.MINOR, "1.1.0"),
    ("1.0.0", "fix(web): x", Level.MAJOR, None, Level.MAJOR, "2.0.0"),
    ("1.0.0", "feat(web): x", Level.PATCH, None, Level.MINOR, "1.1.0"),  # never lowers
    ("1.0.0", "feat(web): x", Level.MAJOR, "rc", Level.MAJOR, "2.0.0-rc.1"),
    ("0.4.0", "fix(web): x", Level.MAJOR, None, Level.MAJOR, "0.5.0"),  # 0.x rule applies
    ("1.0.0", "chore(web): x", Level.MINOR, None, Level.MINOR, "1.1.0"),
]


@pytest.mark.parametrize(
    ("current", "message", "required", "pre_token", "level", "expected"), ESCALATIONS
)
def test_escalate_raises_the_level_and_says_why(
    current: str,
    message: str,
    required: Level,
    pre_token: str | None,
    level: Level,
    expected: str,
):
    commits = linear(("feat(web): base", [WEB_FILE]), (message, [WEB_FILE]))
    state = state_of(analyze(commits, [tag(f"web@{current}", sha(1))]), "web")
    raised = escalate(state, required, RULES, "escalated: detected", pre_token=pre_token)
    assert raised.level is level
    assert raised.next is not None
    assert str(raised.next.version) == expected
    assert raised.next.reason.endswith(": escalated: detected")
    assert raised.changes == state.changes
    assert raised.component == state.component


def test_escalate_to_none_on_an_unchanged_component_stays_without_next():
    commits = linear(("feat(web): base", [WEB_FILE]))
    state = state_of(analyze(commits, [tag("web@1.0.0", sha(1))]), "web")
    assert escalate(state, Level.NONE, RULES, "x").next is None


def test_release_as_with_a_prerelease_token_moves_the_counter_only_for_new_commits():
    commits = linear(
        ("feat(web): base", [WEB_FILE]),
        ("feat(web)!: big\n\nRelease-As: web@2.0.0", [WEB_FILE]),
    )
    tags = [tag("web@1.0.0", sha(1)), tag("web@2.0.0-rc.1", sha(2))]
    assert next_of(analyze(commits, tags, pre_token="rc"), "web") is None  # rc.1 is it
    more = linear(("fix(web): after rc.1", [WEB_FILE]), start=3, parent=sha(2)) + commits
    assert next_of(analyze(more, tags, pre_token="rc"), "web") == "2.0.0-rc.2"
    assert next_of(analyze(more, tags), "web") == "2.0.0"


def test_escalation_keeps_a_higher_release_as_version():
    commits = linear(
        ("feat(web): base", [WEB_FILE]),
        ("fix(web): b\n\nRelease-As: web@3.0.0", [WEB_FILE]),
    )
    state = state_of(analyze(commits, [tag("web@1.0.0", sha(1))]), "web")
    assert state.next is not None
    assert str(state.next.version) == "3.0.0"
    raised = escalate(state, Level.MINOR, RULES, "escalated: detected")
    assert raised.next is not None
    assert str(raised.next.version) == "3.0.0"
    assert raised.next.reason.endswith(": escalated: detected")
    lifted = escalate(state, Level.MAJOR, RULES, "escalated: detected")
    assert lifted.next is not None
    assert str(lifted.next.version) == "3.0.0"  # 2.0.0 would be lower than asked
