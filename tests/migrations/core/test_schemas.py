from __future__ import annotations

from gitops_templates.migrations.core.schemas import NO_DEFAULT, declared_default

SCHEMA = {
    "type": "object",
    "$defs": {"route": {"type": "object", "properties": {"to": {"default": "ops"}}}},
    "properties": {
        "channel": {"enum": ["email", "slack"], "default": "email"},
        "name": {"type": "string"},
        "routes": {"type": "array", "items": {"$ref": "#/$defs/route"}},
        "pair": {"prefixItems": [{"default": 1}, {"type": "string"}]},
        "labels": {"type": "object", "additionalProperties": {"default": "x"}},
        "a/b": {"default": "slash"},
        "more": {"allOf": [{"properties": {"deep": {"default": True}}}]},
    },
}


def test_declared_properties_with_and_without_defaults():
    assert declared_default(SCHEMA, "/channel") == (True, "email")
    assert declared_default(SCHEMA, "/name") == (True, NO_DEFAULT)
    assert declared_default(SCHEMA, "/missing") == (False, NO_DEFAULT)
    assert declared_default(None, "/channel") == (False, NO_DEFAULT)


def test_refs_items_tuples_additional_properties_escapes_and_all_of_are_followed():
    assert declared_default(SCHEMA, "/routes/3/to") == (True, "ops")
    assert declared_default(SCHEMA, "/pair/0") == (True, 1)
    assert declared_default(SCHEMA, "/pair/1") == (True, NO_DEFAULT)
    assert declared_default(SCHEMA, "/labels/anything") == (True, "x")
    assert declared_default(SCHEMA, "/a~1b") == (True, "slash")
    assert declared_default(SCHEMA, "/more/deep") == (True, True)
    assert declared_default(SCHEMA, "/routes/x") == (False, NO_DEFAULT)


def test_a_reference_cycle_ends():
    looping = {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}
    assert declared_default(looping, "/x") == (False, NO_DEFAULT)
