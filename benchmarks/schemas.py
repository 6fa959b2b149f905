"""Parameter schemas as real catalogs have them, evolving commit by commit.

Used by `generate.py --evolving`: every template starts with a draft 2020-12 schema of
10-30 properties (strings with patterns and enums, bounded integers, booleans, arrays,
a nested object, a `$defs` reference), closed, with a few required keys and an example
that validates. Some commits then change it: a property added (declared `feat`), one
removed or a bound tightened (breaking; declared with `!` only sometimes, so the
`escalate` policy has work), descriptions edited, an enum widened.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    import random

DIALECT = "https://json-schema.org/draft/2020-12/schema"
WORDS = [
    "region",
    "replicas",
    "timeout",
    "owner",
    "tier",
    "channel",
    "retries",
    "budget",
    "image",
    "port",
    "labels",
    "schedule",
    "window",
    "threshold",
    "namespace",
    "quota",
    "cpu",
    "memory",
    "zone",
    "alias",
    "domain",
    "path",
    "mode",
    "level",
    "format",
    "target",
    "source",
    "limit",
    "burst",
    "backoff",
    "team",
    "cost",
    "queue",
    "topic",
]


def _property(rng: random.Random, name: str) -> dict[str, Any]:
    kind = rng.choice(["string", "string", "integer", "boolean", "enum", "array", "ref"])
    text = f"The {name} of the deployment."
    if kind == "string":
        prop: dict[str, Any] = {"type": "string", "description": text, "maxLength": 63}
        if rng.random() < 0.4:
            prop["pattern"] = "^[a-z][a-z0-9-]*$"
        return prop
    if kind == "integer":
        low = rng.randint(0, 5)
        return {"type": "integer", "description": text, "minimum": low,
                "maximum": low + rng.randint(10, 1000), "default": low + 1}  # fmt: skip
    if kind == "boolean":
        return {"type": "boolean", "description": text, "default": False}
    if kind == "enum":
        return {"type": "string", "description": text, "enum": ["low", "standard", "high"]}
    if kind == "array":
        return {"type": "array", "description": text, "items": {"type": "string"},
                "maxItems": 20, "uniqueItems": True}  # fmt: skip
    return {"$ref": "#/$defs/endpoint", "description": text}


def initial_schema(rng: random.Random) -> dict[str, Any]:
    names = rng.sample(WORDS, rng.randint(10, 30))
    props = {name: _property(rng, name) for name in names}
    required = [n for n in names[:3] if "default" not in props[n]]
    return {
        "$schema": DIALECT,
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": props,
        "$defs": {
            "endpoint": {
                "type": "object",
                "additionalProperties": False,
                "required": ["host"],
                "properties": {
                    "host": {"type": "string", "minLength": 1},
                    "port": {"type": "integer", "minimum": 1, "maximum": 65535},
                },
            }
        },
    }


def example(schema: dict[str, Any]) -> dict[str, Any]:
    """Values for the required properties that the schema accepts."""
    values: dict[str, Any] = {}
    for name in schema["required"]:
        prop = schema["properties"][name]
        if "$ref" in prop:
            values[name] = {"host": "example.org"}
        elif "enum" in prop:
            values[name] = prop["enum"][0]
        elif prop.get("type") == "integer":
            values[name] = prop["minimum"]
        elif prop.get("type") == "boolean":
            values[name] = True
        elif prop.get("type") == "array":
            values[name] = ["a"]
        else:
            values[name] = "abc"
    return values


def evolve(rng: random.Random, schema: dict[str, Any], n: int) -> tuple[dict[str, Any], str, bool]:
    """A changed schema, the commit type, and whether the change is breaking."""
    new = copy.deepcopy(schema)
    props = new["properties"]
    choice = rng.random()
    if choice < 0.35:
        name = f"{rng.choice(WORDS)}_{n}"
        props[name] = _property(rng, name)
        return new, "feat", False
    if choice < 0.55 and len(props) > 5:
        name = rng.choice(sorted(props))
        del props[name]
        new["required"] = [r for r in new["required"] if r != name]
        return new, "refactor", True
    if choice < 0.75:
        bounded = [k for k, v in props.items() if "maximum" in v]
        if bounded:
            key = rng.choice(bounded)
            props[key]["maximum"] = max(props[key]["minimum"] + 1, props[key]["maximum"] - 5)
            props[key].pop("default", None)
            return new, "fix", True
    if choice < 0.85:
        enums = [k for k, v in props.items() if "enum" in v]
        if enums:
            props[rng.choice(enums)]["enum"].append(f"extra{n}")
            return new, "feat", False
    key = rng.choice(sorted(props))
    props[key]["description"] = f"{props[key].get('description', '')} Revised in {n}."
    return new, "docs", False


def template_yaml(tid: str, schema: dict[str, Any]) -> str:
    meta = {
        "apiVersion": "gitops-templates/v1",
        "id": tid,
        "name": tid,
        "description": f"Synthetic template {tid} with an evolving parameter schema.",
        "owners": ["bench"],
        "category": "bench",
        "parameters": schema,
        "files": [{"source": "body.yaml.j2", "target": "body.yaml"}],
        "examples": [{"name": "minimal", "values": example(schema)}],
    }
    return yaml.safe_dump(meta, sort_keys=False, width=100)
