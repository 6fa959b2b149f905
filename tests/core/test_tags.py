"""Version tags: which tags are versions of which component, owners and format checks."""

from __future__ import annotations

import pytest

from gitops_templates.core.models import Component, TagRecord
from gitops_templates.core.tags import check_tag_formats, owner_of, read_versions
from gitops_templates.errors import ConfigError, ExitCode

ID_AT = "{id}@{version}"
COMPONENTS = [
    Component("web", "templates/web", ID_AT),
    Component("aws", "templates/aws", ID_AT),
    Component("aws-dns", "templates/aws-dns", ID_AT),
    Component("legacy", "lib/legacy", "legacy-v{version}", kind="component"),
    Component("app", "packages/app", "{id}/v{version}", kind="component"),
]
HERE = "a" * 40  # a commit HEAD reaches
AWAY = "b" * 40  # a commit it does not


def record(
    name: str, commit: str | None = HERE, *, annotated: bool = True, obj: str = "f" * 40
) -> TagRecord:
    return TagRecord(name, obj, commit, annotated, None, 1, None)


def versions_of(*tags: TagRecord, components: list[Component] = COMPONENTS):
    found, notices = read_versions(components, tags, {HERE})
    listed = {cid: [str(v.version) for v in items] for cid, items in found.items() if items}
    return listed, [(n.code, n.subject) for n in notices]


OWNERSHIP = [
    # tag name, component id it is a version of (None: of none)
    ("web@1.0.0", "web"),
    ("aws@2.0.0", "aws"),
    ("aws-dns@1.0.0", "aws-dns"),
    ("legacy-v3.1.4", "legacy"),
    ("app/v1.0.0", "app"),
    ("web@1.0.0-rc.1", "web"),
    ("nosuch@1.0.0", None),
    ("web@v1.0.0", None),
    ("web@1.0", None),
    ("web@1.0.0 ", None),
    ("xweb@1.0.0", None),
    ("refs/tags/web@1.0.0", None),
    ("legacy@1.0.0", None),  # legacy's tags use its own format only
    ("app@1.0.0", None),
    ("web-v1.0.0", None),
    ("v1.0.0", None),
    ("aws-dns", None),
]


@pytest.mark.parametrize(("name", "owner"), OWNERSHIP)
def test_read_versions_assigns_tags_with_anchored_formats(name: str, owner: str | None):
    listed, notices = versions_of(record(name))
    if owner is None:
        assert listed == {}
    else:
        version = name.rpartition("@")[2] if "@" in name else name.rpartition("v")[2]
        assert listed == {owner: [version]}
    almost = name in ("web@v1.0.0", "web@1.0")  # a version of web but for its version text
    assert notices == ([("not-semver-tag", "web")] if almost else [])


@pytest.mark.parametrize(("name", "owner"), OWNERSHIP)
def test_owner_of_agrees_with_read_versions(name: str, owner: str | None):
    found = owner_of(COMPONENTS, name)
    assert (found.id if found else None) == owner


def test_aws_never_claims_aws_dns_tags():
    listed, _ = versions_of(record("aws-dns@1.0.0"), record("aws-dns@1.1.0"), record("aws@0.1.0"))
    assert listed == {"aws-dns": ["1.1.0", "1.0.0"], "aws": ["0.1.0"]}


def test_versions_are_listed_highest_first_by_semver_precedence():
    names = ["web@1.0.0-rc.1", "web@0.9.0", "web@1.0.0", "web@1.0.0-rc.10", "web@1.0.0-rc.2"]
    found, _ = read_versions(COMPONENTS, [record(n) for n in names], {HERE})
    assert [str(v.version) for v in found["web"]] == [
        "1.0.0",
        "1.0.0-rc.10",
        "1.0.0-rc.2",
        "1.0.0-rc.1",
        "0.9.0",
    ]
    assert all(v.component == "web" for v in found["web"])
    assert found["web"][0].tag.name == "web@1.0.0"
    assert set(found) == {c.id for c in COMPONENTS}  # every component has a list


NOTICES = [
    # tag, listed versions, notices (code, subject)
    (record("web@1.0.0", annotated=False), {"web": ["1.0.0"]}, [("lightweight-tag", "web@1.0.0")]),
    (record("web@1.0.0+build.7"), {}, [("build-metadata", "web@1.0.0+build.7")]),
    (
        record("web@1.0.0+b", annotated=False),
        {},
        [("build-metadata", "web@1.0.0+b")],  # reported once, for the reason it is ignored
    ),
    (record("web@1.0.0", commit=None), {}, [("tag-not-commit", "web@1.0.0")]),
    (record("web@1.0.0", commit=AWAY), {"web": ["1.0.0"]}, [("unreachable-tag", "web")]),
    (record("nosuch@1.0.0", commit=None), {}, []),  # not a version tag at all: silent
    (record("not-a-version"), {}, []),
]


@pytest.mark.parametrize(("tag", "listed", "notices"), NOTICES)
def test_odd_version_tags_give_notices(
    tag: TagRecord, listed: dict[str, list[str]], notices: list[tuple[str, str]]
):
    assert versions_of(tag) == (listed, notices)


def test_reachability_is_recorded_per_tag():
    found, notices = read_versions(
        COMPONENTS, [record("web@1.0.0"), record("web@2.0.0", commit=AWAY)], {HERE}
    )
    assert [(str(v.version), v.reachable) for v in found["web"]] == [
        ("2.0.0", False),
        ("1.0.0", True),
    ]
    [notice] = notices
    assert notice.code == "unreachable-tag"
    assert "web@2.0.0" in notice.message


def test_lightweight_and_annotated_tags_are_both_versions():
    found, notices = read_versions(
        COMPONENTS, [record("web@1.0.0"), record("web@1.1.0", annotated=False)], {HERE}
    )
    assert [(str(v.version), v.tag.annotated) for v in found["web"]] == [
        ("1.1.0", False),
        ("1.0.0", True),
    ]
    assert [(n.code, n.subject) for n in notices] == [("lightweight-tag", "web@1.1.0")]


def test_id_less_format_shared_by_two_components_claims_no_tag():
    shared = [Component("a", "a", "v{version}"), Component("b", "b", "v{version}")]
    found, notices = read_versions(shared, [record("v1.0.0")], {HERE})
    assert found == {"a": [], "b": []}
    assert notices == []
    assert owner_of(shared, "v1.0.0") is None


def test_id_less_format_with_one_user_claims_its_tags():
    only = [Component("a", "a", "v{version}"), Component("web", "templates/web", ID_AT)]
    found, _ = read_versions(only, [record("v1.2.3"), record("web@1.0.0")], {HERE})
    assert [str(v.version) for v in found["a"]] == ["1.2.3"]
    assert [str(v.version) for v in found["web"]] == ["1.0.0"]
    owner = owner_of(only, "v1.2.3")
    assert owner is not None
    assert owner.id == "a"


def test_same_version_string_for_two_components_stays_separate():
    found, _ = read_versions(COMPONENTS, [record("web@1.0.0"), record("aws@1.0.0")], {HERE})
    assert [v.component for v in found["web"]] == ["web"]
    assert [v.component for v in found["aws"]] == ["aws"]
    assert found["web"][0].version == found["aws"][0].version


FORMATS_OK = [
    [Component("a", "a", ID_AT), Component("b", "b", ID_AT)],
    [Component("a", "a", "v{version}")],
    [Component("a", "a", "v{version}"), Component("b", "b", "b-{version}")],
    [Component("a", "a", "v{version}"), Component("b", "b", ID_AT), Component("c", "c", ID_AT)],
    [],
]


@pytest.mark.parametrize("components", FORMATS_OK)
def test_unambiguous_tag_formats_pass(components: list[Component]):
    check_tag_formats(components)


FORMATS_BAD = [
    # components, format and ids named in the message
    (
        [Component("a", "a", "v{version}"), Component("b", "b", "v{version}")],
        "'v{version}' has no {id}, but 2 components use it (a, b)",
    ),
    (
        [
            Component("x", "x", "rel-{version}"),
            Component("web", "templates/web", ID_AT),
            Component("y", "y", "rel-{version}"),
            Component("z", "z", "rel-{version}"),
        ],
        "'rel-{version}' has no {id}, but 3 components use it (x, y, z)",
    ),
]


@pytest.mark.parametrize(("components", "words"), FORMATS_BAD)
def test_id_less_format_shared_by_several_components_is_a_config_error(
    components: list[Component], words: str
):
    with pytest.raises(ConfigError) as caught:
        check_tag_formats(components)
    assert words in caught.value.message
    assert caught.value.exit_code is ExitCode.INVALID_INPUT
    assert caught.value.hint is not None
    assert "{id}@{version}" in caught.value.hint


@pytest.mark.parametrize("name", ["web@1.2", "web@v1.2.3", "web@01.2.3", "web@1.2.3.4"])
def test_a_tag_that_is_almost_a_version_is_reported(name: str):
    found, notices = read_versions(COMPONENTS, [record(name)], {HERE})
    assert all(not items for items in found.values())
    assert [(n.code, n.subject) for n in notices] == [("not-semver-tag", "web")]
    assert name in notices[0].message


@pytest.mark.parametrize("name", ["web-docs", "release-2024", "aws@latest", "v1"])
def test_other_tags_are_not_reported(name: str):
    _, notices = read_versions(COMPONENTS, [record(name)], {HERE})
    assert notices == []
