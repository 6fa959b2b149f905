"""Compatibility analysis of parameter schemas and template metadata. Pure.

`diff_schemas` classifies old -> new parameter schemas by the rule table in `rules`;
`witness` adds checked counterexamples; `metadata` compares the rest of template.yaml
and the template's files.
"""
