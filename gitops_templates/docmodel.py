"""What the documentation shows, computed from metadata and history. Pure.

`parameter_rows` flattens a parameters JSON Schema into table rows (nested names,
type, default, required, constraints, description); `parameter_history` finds, from
the schema at each released version, the version each parameter first appeared in and
the one that first marked it deprecated. `markdown_text` / `markdown_cell` escape
untrusted metadata for Markdown; `inject` places generated text between markers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

BEGIN = "<!-- BEGIN gitops-templates -->"
END = "<!-- END gitops-templates -->"
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
_LINE_START = re.compile(r"^(\s*)([-=>]|\d+\.)", re.MULTILINE)
_CONSTRAINTS = (
    ("minimum", ">= {}"), ("exclusiveMinimum", "> {}"), ("maximum", "<= {}"),
    ("exclusiveMaximum", "< {}"), ("multipleOf", "multiple of {}"),
    ("minLength", "length >= {}"), ("maxLength", "length <= {}"), ("pattern", "pattern {}"),
    ("format", "format {}"), ("minItems", "items >= {}"), ("maxItems", "items <= {}"),
    ("minProperties", "keys >= {}"), ("maxProperties", "keys <= {}"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ParameterRow:
    """One documented parameter (a property at any depth)."""

    name: str  # dotted path; `[]` marks array items: `ports[].name`
    depth: int
    type: str
    default: str | None  # JSON text, None when there is no default
    required: bool
    constraints: tuple[str, ...]
    description: str
    deprecated: bool
    added_in: str | None = None
    deprecated_in: str | None = None


def parameter_rows(schema: Mapping[str, Any]) -> list[ParameterRow]:
    """Every property of a parameters schema, parents before children."""
    rows: list[ParameterRow] = []
    _walk(schema, schema, "", 0, rows, set())
    return rows


def _walk(
    root: Mapping[str, Any],
    node: Mapping[str, Any],
    prefix: str,
    depth: int,
    rows: list[ParameterRow],
    seen: set[str],
) -> None:
    node = _resolve(root, node, seen)
    properties = node.get("properties")
    if not isinstance(properties, dict):
        return
    required = set(node.get("required") or ())
    for key, raw in properties.items():
        if not isinstance(raw, dict):
            continue
        name = f"{prefix}{key}"
        ref = raw.get("$ref")
        sub = _resolve(root, raw, seen)
        rows.append(_row(name, depth, sub, key in required))
        if isinstance(ref, str):
            seen = seen | {ref}  # a recursive $ref is documented once
        _walk(root, sub, f"{name}.", depth + 1, rows, seen)
        items = sub.get("items")
        if isinstance(items, dict):
            _walk(root, items, f"{name}[].", depth + 1, rows, seen)


def _resolve(root: Mapping[str, Any], node: Mapping[str, Any], seen: set[str]) -> Mapping[str, Any]:
    """A local `$ref` (`#/$defs/x`, `#/definitions/x`) merged under the node's own keys."""
    ref = node.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
        return node
    target: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        target = target.get(part) if isinstance(target, dict) else None
    if not isinstance(target, dict):
        return node
    return {**target, **{k: v for k, v in node.items() if k != "$ref"}}


def _row(name: str, depth: int, node: Mapping[str, Any], required: bool) -> ParameterRow:
    constraints = [text.format(node[key]) for key, text in _CONSTRAINTS if key in node]
    if "enum" in node:
        constraints.insert(0, "one of " + ", ".join(_json(v) for v in node["enum"]))
    if "const" in node:
        constraints.insert(0, f"always {_json(node['const'])}")
    if node.get("uniqueItems") is True:
        constraints.append("unique items")
    if node.get("additionalProperties") is False and "properties" in node:
        constraints.append("no other keys")
    return ParameterRow(
        name=name,
        depth=depth,
        type=type_label(node),
        default=_json(node["default"]) if "default" in node else None,
        required=required,
        constraints=tuple(constraints),
        description=str(node.get("description") or node.get("title") or ""),
        deprecated=node.get("deprecated") is True,
    )


def type_label(node: Mapping[str, Any]) -> str:
    """`string`, `integer | null`, `array of string`, `one of: a | b`, ..."""
    kind = node.get("type")
    if isinstance(kind, list):
        return " | ".join(str(k) for k in kind)
    if kind == "array" and isinstance(node.get("items"), dict):
        inner = type_label(node["items"])
        return f"array of {inner}" if inner else "array"
    if isinstance(kind, str):
        return kind
    for combinator in ("oneOf", "anyOf"):
        options = node.get(combinator)
        if isinstance(options, list):
            return " | ".join(type_label(o) or "any" for o in options if isinstance(o, dict))
    if "enum" in node or "const" in node:
        return "enum" if "enum" in node else "const"
    return "any"


def parameter_history(
    schemas: Iterable[tuple[str, Mapping[str, Any] | None]],
) -> dict[str, tuple[str | None, str | None]]:
    """Parameter name -> (added in, deprecated in), from `(version, schema)` oldest first.

    A parameter removed and added again counts from its last appearance; one that
    stops being deprecated loses its `deprecated in`.
    """
    found: dict[str, tuple[str | None, str | None]] = {}
    for version, schema in schemas:
        rows = {r.name: r for r in parameter_rows(schema)} if schema else {}
        for name in list(found):
            if name not in rows:
                del found[name]
        for name, row in rows.items():
            added, deprecated = found.get(name, (version, None))
            if row.deprecated and deprecated is None:
                deprecated = version
            elif not row.deprecated:
                deprecated = None
            found[name] = (added, deprecated)
    return found


def with_history(
    rows: Iterable[ParameterRow], history: Mapping[str, tuple[str | None, str | None]]
) -> list[ParameterRow]:
    """Rows with `added_in` / `deprecated_in` filled from `parameter_history`."""
    result = []
    for row in rows:
        added, deprecated = history.get(row.name, (None, None))
        if row.deprecated and deprecated is None:
            deprecated = "unreleased"
        result.append(replace(row, added_in=added or "unreleased", deprecated_in=deprecated))
    return result


def markdown_text(value: object) -> str:
    """Untrusted text for Markdown prose: specials escaped, HTML inert."""
    escaped = _MD_SPECIAL.sub(r"\\\1", str(value))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def markdown_cell(value: object) -> str:
    """Untrusted text for a Markdown table cell (one line, `|` escaped)."""
    lines = [markdown_text(line.strip()) for line in str(value).splitlines()]
    return "<br>".join(line for line in lines if line)


def changelog_markdown(text: str) -> str:
    """A version's changelog (Markdown written by `release`) placed under a `###` heading.

    Its own `## <id> <version>` title is dropped and its `###` sections become `####`;
    `<`, `>` and `&` are escaped so commit subjects cannot inject HTML.
    """
    lines = text.strip().splitlines()
    if lines and lines[0].startswith("## "):
        lines = lines[1:]
    body = "\n".join("#" + line if line.startswith("### ") else line for line in lines).strip()
    return body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline_code(value: object) -> str:
    """Text inside a code span, with a fence longer than any backtick run in it."""
    text = str(value).replace("\n", " ").replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def inject(existing: str | None, generated: str) -> str:
    """The file to write: `generated` alone, or placed between the markers.

    A file with hand-written content keeps it: generated text goes between
    `BEGIN`/`END` (appended, with the markers, when the file has none yet). A file
    that holds only a previous generation is replaced.
    """
    block = f"{BEGIN}\n{generated.rstrip()}\n{END}\n"
    if existing is None or not existing.strip():
        return generated
    start, end = existing.find(BEGIN), existing.find(END)
    if start != -1 and end > start:
        return existing[:start] + block.rstrip("\n") + existing[end + len(END) :]
    if existing == generated:
        return generated
    return existing.rstrip("\n") + "\n\n" + block


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
