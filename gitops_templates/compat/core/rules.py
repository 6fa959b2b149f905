"""The compatibility rule table, profiles, findings and per-catalog level overrides. Pure.

Direction: consumers write parameter values and the template reads them, so a new version
is compatible when every value the old parameter schema accepts is still accepted (and
keeps its meaning). Each rule has an id in oasdiff style, a class per profile (breaking,
minor, patch, none) and a severity (ERR, WARN, INFO).

Profiles differ only where open content models make compatibility a policy choice:
`template` (default) reads a schema as template authors mean it (declared parameters are
the contract), `strict` is Confluent STRICT and `lenient` Confluent LENIENT.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from gitops_templates.core.models import Level

PROFILES = ("template", "strict", "lenient")
SEVERITIES = ("err", "warn", "info", "none")

_CLASS = {"B": Level.MAJOR, "m": Level.MINOR, "p": Level.PATCH, "0": Level.NONE}


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of the rule table."""

    id: str
    area: str  # parameters | metadata | outputs
    classes: tuple[Level, Level, Level]  # per profile, in PROFILES order
    summary: str
    severity: str | None = None  # None: ERR when breaking, else INFO

    def level(self, profile: str) -> Level:
        """The class of this rule's findings under `profile`."""
        return self.classes[PROFILES.index(profile)]

    def default_severity(self, profile: str) -> str:
        """ERR / WARN / INFO under `profile`."""
        if self.severity:
            return self.severity
        return "ERR" if self.level(profile) is Level.MAJOR else "INFO"


def _rule(rule_id: str, classes: str, summary: str, severity: str | None = None) -> Rule:
    """`classes` is one letter (same in every profile) or three (template, strict, lenient)."""
    letters = classes * 3 if len(classes) == 1 else classes
    area = "outputs" if rule_id.startswith("output-") else "parameters"
    if rule_id.startswith(("template-", "min-tool", "metadata-", "body-")):
        area = "metadata"
    levels = (_CLASS[letters[0]], _CLASS[letters[1]], _CLASS[letters[2]])
    return Rule(rule_id, area, levels, summary, severity)


_TABLE = (
    # objects and parameters (research note §3.1)
    _rule("param-added-optional", "m", "optional parameter added"),
    _rule("param-added-open-model", "mBm", "optional parameter added to an open object"),
    _rule(
        "param-added-partial-model",
        "B",
        "parameter added that additionalProperties/patternProperties values may not satisfy",
    ),
    _rule("param-added-required", "B", "required parameter added"),
    _rule(
        "param-added-required-with-default",
        "BmB",
        "required parameter with a default added",
        "WARN",
    ),
    _rule("param-removed", "BBm", "parameter removed from a closed object"),
    _rule(
        "param-removed-open-model",
        "Bmm",
        "parameter removed from an open object: consumers' values are silently ignored",
        "WARN",
    ),
    _rule(
        "param-removed-partial-model",
        "B",
        "parameter removed that additionalProperties/patternProperties does not accept",
    ),
    _rule("param-renamed", "BBm", "parameter renamed"),
    _rule("param-became-required", "B", "parameter became required"),
    _rule("param-became-optional", "m", "parameter became optional"),
    _rule("param-deprecated", "m", "parameter marked deprecated"),
    _rule("param-undeprecated", "p", "deprecation withdrawn"),
    _rule("additional-properties-allowed", "m", "additional properties allowed"),
    _rule("additional-properties-disallowed", "BBm", "additional properties no longer allowed"),
    _rule("additional-properties-narrowed", "BBm", "additional properties' schema narrowed"),
    _rule("additional-properties-widened", "m", "additional properties' schema widened"),
    _rule("pattern-properties-narrowed", "BBm", "patternProperties restricted"),
    _rule("pattern-properties-widened", "m", "patternProperties relaxed"),
    _rule(
        "pattern-properties-added-open-model",
        "mBm",
        "patternProperties added to an open object: undeclared keys matching it restricted",
        "WARN",
    ),
    _rule("property-names-restricted", "B", "propertyNames restriction added or narrowed"),
    _rule("property-names-relaxed", "m", "propertyNames restriction removed or relaxed"),
    _rule("unevaluated-properties-restricted", "BBm", "unevaluatedProperties restricted"),
    _rule("unevaluated-properties-relaxed", "m", "unevaluatedProperties relaxed"),
    _rule("max-properties-decreased", "B", "maxProperties added or decreased"),
    _rule("max-properties-increased", "m", "maxProperties removed or increased"),
    _rule("min-properties-increased", "B", "minProperties added or increased"),
    _rule("min-properties-decreased", "m", "minProperties removed or decreased"),
    _rule("dependent-required-added", "B", "dependentRequired/dependencies added or extended"),
    _rule("dependent-required-removed", "m", "dependentRequired/dependencies removed or reduced"),
    _rule("dependent-schema-added", "B", "dependentSchemas/dependencies schema added"),
    _rule("dependent-schema-removed", "m", "dependentSchemas/dependencies schema removed"),
    # types, enums, const (§3.2)
    _rule("type-widened", "m", "type widened"),
    _rule("type-narrowed", "B", "type narrowed"),
    _rule("type-changed", "B", "type changed"),
    _rule("enum-value-added", "m", "enum value added"),
    _rule("enum-value-removed", "B", "enum value removed"),
    _rule("became-enum", "B", "value restricted to an enum"),
    _rule("enum-removed", "m", "enum restriction removed"),
    _rule("const-added", "B", "const added"),
    _rule("const-changed", "B", "const changed"),
    _rule("const-removed", "m", "const removed"),
    # numbers, strings, arrays (§3.3)
    _rule("maximum-decreased", "B", "maximum added or decreased"),
    _rule("maximum-increased", "m", "maximum removed or increased"),
    _rule("minimum-increased", "B", "minimum added or increased"),
    _rule("minimum-decreased", "m", "minimum removed or decreased"),
    _rule("multiple-of-narrowed", "B", "multipleOf added or changed to a non-divisor"),
    _rule("multiple-of-widened", "m", "multipleOf removed or changed to a divisor"),
    _rule("max-length-decreased", "B", "maxLength added or decreased"),
    _rule("max-length-increased", "m", "maxLength removed or increased"),
    _rule("min-length-increased", "B", "minLength added or increased"),
    _rule("min-length-decreased", "m", "minLength removed or decreased"),
    _rule("pattern-added", "B", "pattern added"),
    _rule("pattern-removed", "m", "pattern removed"),
    _rule("pattern-changed", "B", "pattern changed (not provably wider)", "WARN"),
    _rule(
        "format-changed",
        "p",
        "format added, changed or removed (formats are annotations: "
        "values are not checked against them)",
    ),
    _rule("max-items-decreased", "B", "maxItems added or decreased"),
    _rule("max-items-increased", "m", "maxItems removed or increased"),
    _rule("min-items-increased", "B", "minItems added or increased"),
    _rule("min-items-decreased", "m", "minItems removed or decreased"),
    _rule("unique-items-added", "B", "uniqueItems added"),
    _rule("unique-items-removed", "m", "uniqueItems removed"),
    _rule("tuple-item-added", "B", "tuple item added to an open array"),
    _rule("tuple-item-added-closed", "m", "tuple item added to a closed array"),
    _rule("tuple-item-removed", "B", "tuple item removed from a closed array"),
    _rule("tuple-item-removed-open", "m", "tuple item removed from an open array"),
    _rule("additional-items-restricted", "B", "additionalItems restricted"),
    _rule("additional-items-relaxed", "m", "additionalItems relaxed"),
    _rule("contains-added", "B", "contains / minContains / maxContains restricted"),
    _rule("contains-removed", "m", "contains / minContains / maxContains relaxed"),
    # composition (§3.4)
    _rule("any-of-added", "m", "anyOf branch added"),
    _rule("one-of-added", "m", "oneOf branch added, disjoint from the others"),
    _rule(
        "one-of-added-overlapping",
        "B",
        "oneOf branch added that overlaps another: values matching both are now rejected",
        "WARN",
    ),
    _rule("any-of-removed", "B", "anyOf/oneOf branch removed or narrowed"),
    _rule("all-of-added", "B", "allOf conjunct added"),
    _rule("all-of-removed", "m", "allOf conjunct removed"),
    _rule("combinator-widened", "m", "oneOf/allOf became anyOf"),
    _rule("combinator-changed", "B", "combinator changed"),
    _rule("not-added", "B", "not added or widened (rejects more)"),
    _rule("not-removed", "m", "not removed or narrowed (rejects less)"),
    _rule("conditional-added", "B", "if/then/else added or changed"),
    _rule("conditional-removed", "m", "if/then/else removed"),
    # annotations (§3.5)
    _rule("docs-changed", "p", "description, title, examples or $comment changed"),
    _rule(
        "default-changed",
        "m",
        "default added, changed or removed: consumers who omit the value get another one",
        "WARN",
    ),
    _rule("annotation-changed", "p", "annotation keyword changed"),
    _rule("unknown-keyword", "p", "keyword not known to JSON Schema: validators ignore it", "WARN"),
    _rule(
        "unsupported-keyword", "B", "keyword not analysed changed: compatibility not proven", "WARN"
    ),
    _rule(
        "schema-dialect-changed",
        "p",
        "$schema dialect changed (each side's keywords read in its own dialect)",
        "WARN",
    ),
    # metadata and outputs (§3.6)
    _rule("template-id-changed", "B", "template id changed"),
    _rule("template-deprecated", "m", "template marked deprecated"),
    _rule("template-undeprecated", "p", "template deprecation withdrawn"),
    _rule("min-tool-version-raised", "B", "min_tool_version raised", "WARN"),
    _rule("metadata-changed", "p", "name, description, owners, category, tags or examples changed"),
    _rule("output-removed", "B", "output file removed"),
    _rule("output-renamed", "B", "output file renamed"),
    _rule("output-added", "m", "output file added"),
    _rule("output-schema-changed", "p", "output_schema of an output changed", "WARN"),
    _rule("body-changed", "p", "template body or partial files changed"),
)

RULES: dict[str, Rule] = {rule.id: rule for rule in _TABLE}


@dataclass(frozen=True, slots=True)
class Counterexample:
    """A value the old schema accepts that the new one rejects (or silently ignores)."""

    value: Any
    effect: str  # rejected | ignored


@dataclass(frozen=True, slots=True)
class Finding:
    """One classified difference."""

    json_fields: ClassVar[tuple[str, ...]] = (
        "rule",
        "class=level.compatibility",
        "level=severity",
        "area",
        "pointer",
        "message",
        "counterexample",
        "waived",
    )

    rule: str
    level: Level
    severity: str  # ERR | WARN | INFO
    pointer: str  # JSON pointer into the parameter schema (or template.yaml for metadata)
    message: str
    area: str = "parameters"
    path: tuple[str | int, ...] = ()  # where in consumers' values it applies
    candidates: tuple[Any, ...] = field(default=(), compare=False)  # counterexample seeds
    counterexample: Counterexample | None = None
    waived: bool = False

    @property
    def breaking(self) -> bool:
        """True when this finding alone requires a major version."""
        return self.level is Level.MAJOR and not self.waived

    @property
    def counts(self) -> Level:
        """What this finding contributes to the detected level."""
        return Level.NONE if self.waived else self.level


def finding(
    rule_id: str,
    profile: str,
    pointer: str,
    message: str,
    *,
    path: tuple[str | int, ...] = (),
    candidates: tuple[Any, ...] = (),
) -> Finding:
    """A finding of `rule_id` classified under `profile`."""
    rule = RULES[rule_id]
    return Finding(
        rule_id,
        rule.level(profile),
        rule.default_severity(profile),
        pointer,
        message,
        rule.area,
        path,
        candidates,
    )


def apply_overrides(findings: list[Finding], overrides: dict[str, str]) -> list[Finding]:
    """Apply a catalog's `rule id -> err|warn|info|none` map.

    `err` makes a rule's findings breaking; `warn` and `info` keep the rule's class but
    never above minor; `none` drops them.
    """
    result = []
    for item in findings:
        wanted = overrides.get(item.rule)
        if wanted is None:
            result.append(item)
        elif wanted == "err":
            result.append(replace(item, level=Level.MAJOR, severity="ERR"))
        elif wanted in ("warn", "info"):
            level = min(item.level, Level.MINOR)
            result.append(replace(item, level=level, severity=wanted.upper()))
    return result


def waive(findings: list[Finding], waivers: set[tuple[str, str]]) -> list[Finding]:
    """Mark findings named by `Compatibility-Waiver: <rule> <pointer>` footers."""
    return [
        replace(f, waived=True) if (f.rule, f.pointer) in waivers or (f.rule, "*") in waivers else f
        for f in findings
    ]


def detected_level(findings: list[Finding]) -> Level:
    """The highest class among findings that are not waived."""
    return max((f.counts for f in findings), default=Level.NONE)
