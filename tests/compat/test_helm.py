"""Helm-style `values.schema.json` evolutions under the default `template` profile.

Chart schemas are mostly open objects with a draft-07 (or draft-04) `$schema`, nested
`image`/`ingress`/`resources` blocks, `title`/`description`/`examples` annotations and
`x-` extensions. Each row is a change chart maintainers make, with the class a user
expects: additions minor, removals and narrowings breaking, annotations none/patch.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gitops_templates.compat.core.schemadiff import diff_schemas
from gitops_templates.compat.core.witness import attach_counterexamples
from gitops_templates.core.models import Level

B, M, P, N = Level.MAJOR, Level.MINOR, Level.PATCH, Level.NONE

CHART: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Values",
    "type": "object",
    "properties": {
        "replicaCount": {"type": "number", "minimum": 1, "default": 1},
        "image": {
            "type": "object",
            "properties": {
                "repository": {"type": "string", "default": "nginx"},
                "pullPolicy": {"type": "string", "default": "IfNotPresent"},
                "tag": {"type": "string", "description": "Overrides appVersion."},
            },
            "required": ["repository"],
        },
        "imagePullSecrets": {"type": "array", "items": {"type": "object"}},
        "service": {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
                "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            },
        },
        "ingress": {
            "type": "object",
            "properties": {
                "enabled": {"type": "boolean"},
                "className": {"type": "string"},
                "hosts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "host": {"type": "string", "format": "hostname"},
                            "paths": {"type": "array", "items": {"type": "object"}},
                        },
                    },
                },
            },
        },
        "resources": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
        "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}},
        "tolerations": {"type": "array"},
    },
}


def edit(path: str, change: Any) -> dict[str, Any]:
    """CHART with the subschema at `path` (dot-separated property names) changed."""
    schema = copy.deepcopy(CHART)
    node = schema
    for name in path.split(".") if path else []:
        node = node["properties"][name]
    change(node)
    return schema


def drop(name: str):
    return lambda node: node["properties"].pop(name)


ROWS = [
    ("annotation only", edit("image.tag", lambda n: n.update(description="Tag.")), {N, P}, None),
    ("optional value added", edit("image", lambda n: n["properties"].update(digest={"type": "string"})), {M}, "param-added-open-model"),
    ("new top-level block", edit("", lambda n: n["properties"].update(podAnnotations={"type": "object"})), {M}, "param-added-open-model"),
    ("value removed", edit("ingress", drop("className")), {B}, "param-removed-open-model"),
    ("number narrowed to integer", edit("replicaCount", lambda n: n.update(type="integer")), {B}, "type-narrowed"),
    ("enum gained a value", edit("service.type", lambda n: n["enum"].append("ExternalName")), {M}, None),
    ("enum lost a value", edit("service.type", lambda n: n["enum"].remove("NodePort")), {B}, None),
    ("pullPolicy restricted", edit("image.pullPolicy", lambda n: n.update(enum=["Always", "IfNotPresent", "Never"])), {B}, None),
    ("port range widened", edit("service.port", lambda n: n.update(minimum=0)), {M, P, N}, None),
    ("port range narrowed", edit("service.port", lambda n: n.update(maximum=32767)), {B}, None),
    ("default changed", edit("replicaCount", lambda n: n.update(default=2)), {M}, "default-changed"),
    ("block became required", edit("", lambda n: n.update(required=["image"])), {B}, None),
    ("required relaxed", edit("image", lambda n: n.update(required=[])), {M, P, N}, None),
    ("hosts items closed", edit("ingress.hosts", lambda n: n["items"].update(additionalProperties=False)), {B}, "additional-properties-disallowed"),
    ("draft-04 dialect, same content", {**CHART, "$schema": "http://json-schema.org/draft-04/schema#"}, {P}, "schema-dialect-changed"),
]  # fmt: skip


@pytest.mark.parametrize(("label", "new", "classes", "rule"), ROWS, ids=[r[0] for r in ROWS])
def test_helm_style_change_classifies_sensibly(label, new, classes, rule):
    found = diff_schemas(CHART, new, "template")
    level = max((f.counts for f in found), default=Level.NONE)
    assert level in classes, [(f.rule, f.pointer, f.level) for f in found]
    if rule is not None:
        assert rule in {f.rule for f in found}
    if level is B:
        witnessed = attach_counterexamples(found, CHART, new)
        assert any(f.counterexample is not None for f in witnessed if f.breaking)


def test_draft_04_boolean_exclusive_bounds_are_read_as_draft_04():
    old: dict[str, Any] = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object",
           "properties": {"cpu": {"type": "number", "minimum": 0, "exclusiveMinimum": True}}}  # fmt: skip
    new = copy.deepcopy(old)
    del new["properties"]["cpu"]["exclusiveMinimum"]  # 0 now allowed: wider
    assert max(f.counts for f in diff_schemas(old, new, "template")) < B
    assert max(f.counts for f in diff_schemas(new, old, "template")) is B
