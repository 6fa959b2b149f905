"""Reading a catalog.

Configuration, YAML, JSON Schemas, the workspace every use-case starts from,
validation, scaffolding, yanked versions.
"""
