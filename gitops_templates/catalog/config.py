"""Catalog configuration: find `gitops-templates.yaml`, validate it, build `Settings`.

Two stages: the raw YAML is validated against `schemas/config.schema.json`, then turned
into a frozen `Settings`. No other module sees the raw dict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cache, partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from gitops_templates.core.models import Level
from gitops_templates.core.version_rules import SEMVER, BumpRules, TagFormat, TagFormatError
from gitops_templates.errors import ConfigError, Problem

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

CONFIG_NAMES = ("gitops-templates.yaml", "gitops-templates.yml")
DEFAULT_TAG_FORMAT = "{id}@{version}"
DEFAULT_METRICS_PATH = ".gitops-templates/metrics.db"
RULES_FILE = ".gitops-templates/compatibility-rules.yaml"  # compatibility rule overrides


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """A component declared in `components:`."""

    id: str
    path: str
    tag_format: str | None = None


@dataclass(frozen=True, slots=True)
class DocsSettings:
    """`docs:` options."""

    templates_dir: str | None = None  # overrides for the shipped doc templates
    index: str = "TEMPLATES.md"
    site_dir: str = "site"
    strict: bool = False


@dataclass(frozen=True, slots=True)
class ChangelogSettings:
    """`changelog:` options: the files `release --commit` keeps up to date."""

    file: str | None = None  # each component's, relative to its directory
    catalog: str | None = None  # the catalog-wide file (repository path), when enabled

    @property
    def enabled(self) -> bool:
        """True when release commits have a changelog file to write."""
        return self.file is not None or self.catalog is not None


@dataclass(frozen=True, slots=True)
class HealthSettings:
    """`metrics:` and `health:` options."""

    metrics_path: str = DEFAULT_METRICS_PATH
    defaults: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    source: str = "sqlite"  # sqlite | prometheus
    prometheus: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    alerts: tuple[Mapping[str, Any], ...] = ()  # `health watch`'s handlers, as configured
    no_data: str = "no-data"  # the status of a version without enough data
    command: tuple[str, ...] = ()  # the `command` source's program and arguments
    command_timeout: str = "30s"
    auto_rollback: int | None = None  # evaluations a current version must be critical in
    auto_rollback_push: bool = False


@dataclass(frozen=True, slots=True)
class Settings:
    """Validated catalog configuration with defaults filled in."""

    templates_dir: str = "templates"
    tag_format: str = DEFAULT_TAG_FORMAT
    rules: BumpRules = field(default_factory=BumpRules)
    components: tuple[ComponentSpec, ...] = ()
    first_parent: bool = False
    sign_tags: bool = False
    compatibility: str = "enforce"
    compatibility_profile: str = "template"
    compatibility_rules: str | None = None  # file of rule id -> err|warn|info|none
    docs: DocsSettings = field(default_factory=DocsSettings)
    changelog: ChangelogSettings = field(default_factory=ChangelogSettings)
    health: HealthSettings = field(default_factory=HealthSettings)
    source: str | None = None  # the file the settings came from
    notices: tuple[str, ...] = ()
    root: str = ""  # the catalog's directory inside the repository ("" at its root)

    def path(self, relative: str) -> str:
        """A catalog-relative path (`.gitops-templates/yanked.yaml`) from the repository root."""
        return f"{self.root}/{relative}" if self.root else relative

    @property
    def rules_file(self) -> str:
        """The compatibility rule overrides file, from the repository root."""
        return self.compatibility_rules or self.path(RULES_FILE)

    def rebased(self, root: str) -> Settings:
        """These settings for a catalog in the subdirectory `root` of the repository."""
        if not root:
            return self
        join = partial(_join, root)
        return replace(
            self,
            root=root,
            templates_dir=join(self.templates_dir),
            components=tuple(replace(c, path=join(c.path)) for c in self.components),
            compatibility_rules=join(self.compatibility_rules)
            if self.compatibility_rules
            else None,
            docs=replace(
                self.docs,
                index=join(self.docs.index),
                site_dir=join(self.docs.site_dir),
                templates_dir=join(self.docs.templates_dir) if self.docs.templates_dir else None,
            ),
            changelog=replace(
                self.changelog,
                catalog=join(self.changelog.catalog) if self.changelog.catalog else None,
            ),
            health=replace(self.health, metrics_path=join(self.health.metrics_path)),
        )


def _join(root: str, path: str) -> str:
    return f"{root}/{path}".strip("/") if path else root


def catalog_root(start: Path, top: Path) -> Path:
    """The catalog directory `start` belongs to (`top` when no nearer one is found).

    That is the nearest directory from `start` up to `top` holding a config file or
    a `templates/` directory.
    """
    here = start.resolve()
    top = top.resolve()
    while here != top and top in here.parents:
        if any((here / name).is_file() for name in CONFIG_NAMES) or (here / "templates").is_dir():
            return here
        here = here.parent
    return top


def find_config(root: Path, explicit: Path | None) -> tuple[Path | None, list[str]]:
    """The config file to use and notices (several candidates, say which one)."""
    if explicit is not None:
        if not explicit.exists():
            raise ConfigError(
                f"config file {explicit} does not exist",
                hint="pass an existing file with --config, or run `gitops-templates init`",
            )
        _regular(explicit)
        return explicit, []
    present = [root / name for name in CONFIG_NAMES if (root / name).exists()]
    for path in present:
        _regular(path)  # a directory or a device is a mistake, not "no config"
    found = present
    notices = []
    if len(found) > 1:
        notices.append(f"several config files found; using {found[0].name}")
    return (found[0] if found else None), notices


def _regular(path: Path) -> None:
    import stat

    if not stat.S_ISREG(path.stat().st_mode):
        raise ConfigError(f"config {path} is not a regular file",
                          hint="the configuration is a YAML file")  # fmt: skip


def load_settings(text: bytes | None, source: str | None, cache: Path | None = None) -> Settings:
    """Parse and validate config text (None: all defaults).

    With `cache`, a text that passed the schema before (same tool version) is not
    validated again: hooks and CI then skip importing jsonschema.
    """
    if text is None or source is None:
        return Settings()
    stored = _cached(cache, text) if cache is not None else None
    if stored is not None and stored.get("valid") is True:
        return _settings(stored["data"], source, lambda _path: None)
    from gitops_templates.catalog.schema import validate_against  # jsonschema: only with a file
    from gitops_templates.catalog.yamlio import load_yaml  # PyYAML: likewise

    doc = load_yaml(text, source)
    data = _mapping(doc.data, source)
    problems = validate_against(doc, "config.schema.json")
    if problems:
        raise ConfigError(
            f"{source} is invalid ({len(problems)} problem(s))",
            hint="see `gitops-templates init` for a commented default configuration",
            problems=tuple(problems),
        )
    settings = _settings(data, source, doc.line_of)
    if cache is not None:
        _store(cache, text, data, valid=True)
    return settings


def load_unchecked_settings(text: bytes | None, source: str | None, cache: Path) -> Settings:
    """Settings without the JSON Schema, for hooks that run on every commit.

    The parsed YAML is kept as JSON in `cache` with the text it came from, so an
    unchanged config costs neither PyYAML nor jsonschema. A config the schema would
    reject gives the defaults and a notice here; `validate` reports it.
    """
    if text is None or source is None:
        return Settings()
    stored = _cached(cache, text)
    if stored is not None:
        data = stored["data"]
    else:
        from gitops_templates.catalog.yamlio import load_yaml

        data = _mapping(load_yaml(text, source).data, source)
        _store(cache, text, data, valid=False)
    try:
        return _settings(data, source, lambda _path: None)
    except (ConfigError, AttributeError, KeyError, TypeError, ValueError):
        unchecked = f"{source} is invalid; defaults used (run `gitops-templates validate`)"
        return Settings(source=source, notices=(unchecked,))


def _cached(cache: Path, text: bytes) -> dict[str, Any] | None:
    """The stored entry for exactly this text and tool version, if any."""
    from gitops_templates.git.cachefile import read_json

    stored = read_json(cache)
    if not isinstance(stored, dict) or not isinstance(stored.get("data"), dict):
        return None
    same = stored.get("text") == text.decode("utf-8", errors="replace")
    return stored if same and stored.get("tool") == _tool() else None


@cache
def _tool() -> str:
    """This tool's version and its config schema: a verdict of another is not ours."""
    from gitops_templates.catalog.resources import schema_stamp

    return schema_stamp("config.schema.json")


def _mapping(data: Any, source: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the configuration must be a mapping",
            problems=(Problem("expected a mapping of keys", file=source, line=1),),
        )
    return data


def _store(cache: Path, text: bytes, data: dict[str, Any], *, valid: bool) -> None:
    """Keep the parsed config (not JSON-able, e.g. with dates: parsed each time)."""
    from gitops_templates.git.cachefile import write_json

    entry = {"tool": _tool(), "text": text.decode("utf-8", errors="replace"),
             "valid": valid, "data": data}  # fmt: skip
    write_json(cache, entry)


def _health(metrics: Mapping[str, Any], health: Mapping[str, Any],
            alerts: list[Any]) -> HealthSettings:  # fmt: skip
    rollback = health.get("auto_rollback", {})
    return HealthSettings(
        metrics_path=str(metrics.get("path", DEFAULT_METRICS_PATH)),
        defaults=MappingProxyType(dict(health.get("defaults", {}))),
        source=str(metrics.get("source", "sqlite")),
        prometheus=MappingProxyType(dict(metrics.get("prometheus", {}))),
        alerts=tuple(MappingProxyType(dict(a)) for a in alerts),
        no_data=str(health.get("no_data", "no-data")),
        command=tuple(str(a) for a in metrics.get("command", ())),
        command_timeout=str(metrics.get("command_timeout", "30s")),
        auto_rollback=rollback.get("after"),
        auto_rollback_push=bool(rollback.get("push", False)),
    )


CATALOG_CHANGELOG = "CHANGELOG.md"
_NOT_CHANGELOGS = ("README.md", "template.yaml", "template.yml")  # `docs` and metadata


def _changelog(data: Mapping[str, Any], fail: Any) -> ChangelogSettings:
    file = data.get("file")
    if file is not None:
        file = str(file).strip("/")
        plain = re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.md", file) is not None
        if not plain or file in _NOT_CHANGELOGS:  # never a body file, an example or .git
            raise fail("changelog.file", f"{file!r} cannot be a changelog: name a Markdown "
                       "file of its own beside template.yaml, e.g. CHANGELOG.md")  # fmt: skip
    catalog = CATALOG_CHANGELOG if data.get("catalog", False) else None
    return ChangelogSettings(file=file, catalog=catalog)


def _initial_version(data: Mapping[str, Any], fail: Any) -> str:
    value = str(data.get("initial_version", "0.1.0"))
    if not re.fullmatch(SEMVER, value):
        raise fail("initial_version", f"{value!r} is not a semantic version such as 0.1.0")
    return value


def _settings(data: Mapping[str, Any], source: str, line_of: Any) -> Settings:
    def fail(key: str, message: str) -> ConfigError:
        problem = Problem(message, file=source, pointer=key, line=line_of((key,)))
        return ConfigError(f"{source}: {key}: {message}", problems=(problem,))

    tag_format = str(data.get("tag_format", DEFAULT_TAG_FORMAT))
    try:
        TagFormat.compile(tag_format)
    except TagFormatError as err:
        raise fail("tag_format", str(err)) from err
    bump_types = {k: Level.parse(v) for k, v in data.get("bump_types", {}).items()}
    zero = data.get("zero_major", {})
    rules = BumpRules(
        bump_types=MappingProxyType(bump_types) if "bump_types" in data else BumpRules().bump_types,
        zero_breaking=Level.parse(zero.get("breaking", "minor")),
        zero_feat=Level.parse(zero.get("feat", "minor")),
        initial=_initial_version(data, fail),
    )
    components = []
    for cid, spec in data.get("components", {}).items():
        path, fmt = (
            (spec, None) if isinstance(spec, str) else (spec["path"], spec.get("tag_format"))
        )
        if fmt is not None:
            try:
                TagFormat.compile(fmt)
            except TagFormatError as err:
                raise fail(f"components.{cid}.tag_format", str(err)) from err
        norm = "" if path in (".", "./") else path.strip("/")
        components.append(ComponentSpec(cid, norm, fmt))
    return Settings(
        templates_dir=str(data.get("templates_dir", "templates")).strip("/"),
        tag_format=tag_format,
        rules=rules,
        components=tuple(components),
        first_parent=bool(data.get("first_parent", False)),
        sign_tags=bool(data.get("sign_tags", False)),
        compatibility=str(data.get("compatibility", "enforce")),
        compatibility_profile=str(data.get("compatibility_profile", "template")),
        compatibility_rules=data.get("compatibility_rules"),
        docs=DocsSettings(**data.get("docs", {})),
        changelog=_changelog(data.get("changelog", {}), fail),
        health=_health(data.get("metrics", {}), data.get("health", {}), data.get("alerts", [])),
        source=source,
    )
