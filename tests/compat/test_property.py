"""Property: when the engine calls a change non-breaking, old-valid values stay valid.

Old schemas come from a small draft-07 grammar; new schemas are the old ones with one
random edit. Values are generated from the old schema with hypothesis-jsonschema. Under
`strict` the claim is exact (Confluent STRICT); under the default `template` profile it
holds for values that use declared parameters only, so those are generated from the old
schema with every object closed.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import Draft7Validator

from gitops_templates.compat.core.schemadiff import diff_schemas
from gitops_templates.core.models import Level

LEAVES = st.sampled_from([
    {"type": "string"}, {"type": "string", "maxLength": 5}, {"type": "string", "enum": ["a", "b"]},
    {"type": "integer", "minimum": 0, "maximum": 10}, {"type": "number"}, {"type": "boolean"},
    {"type": ["string", "null"]}, {"type": "integer", "multipleOf": 2},
    {"type": "array", "items": {"type": "integer"}, "maxItems": 3},
])  # fmt: skip
NAMES = st.sampled_from(["a", "b", "c", "d"])


@st.composite
def objects(draw):
    props = draw(st.dictionaries(NAMES, LEAVES, min_size=1, max_size=3))
    schema = {"type": "object", "properties": props}
    required = draw(st.lists(st.sampled_from(sorted(props)), unique=True, max_size=len(props)))
    if required:
        schema["required"] = required
    if draw(st.booleans()):
        schema["additionalProperties"] = False
    return schema


@st.composite
def edited(draw, schema):
    new = copy.deepcopy(schema)
    props = new["properties"]
    name = draw(st.sampled_from(sorted(props)))
    edit = draw(
        st.sampled_from(
            ["add", "remove", "replace", "require", "unrequire", "open", "close", "limit"]
        )
    )
    if edit == "add":
        props[draw(NAMES)] = draw(LEAVES)
    elif edit == "remove" and len(props) > 1:
        del props[name]
        new["required"] = [r for r in new.get("required", []) if r != name]
    elif edit == "replace":
        props[name] = draw(LEAVES)
    elif edit == "require":
        new["required"] = sorted({*new.get("required", []), name})
    elif edit == "unrequire":
        new["required"] = [r for r in new.get("required", []) if r != name]
    elif edit == "open":
        new.pop("additionalProperties", None)
    elif edit == "close":
        new["additionalProperties"] = False
    elif edit == "limit":
        props[name] = {**props[name], "maxLength": draw(st.integers(0, 6))}
    if not new.get("required"):
        new.pop("required", None)
    return new


def closed(schema):
    return {**schema, "additionalProperties": False}


@st.composite
def cases(draw, profile):
    old = draw(objects())
    new = draw(edited(old))
    source = old if profile == "strict" else closed(old)
    values = draw(st.lists(from_schema(source), min_size=1, max_size=5))
    return old, new, values


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["strict", "template"]).flatmap(lambda p: st.tuples(st.just(p), cases(p))))
def test_non_breaking_verdicts_keep_old_values_valid(case):
    profile, (old, new, values) = case
    findings = diff_schemas(old, new, profile)
    if any(f.level is Level.MAJOR for f in findings):
        return
    check = Draft7Validator(new)
    for value in values:
        assert check.is_valid(value), (old, new, value, [f.rule for f in findings])
