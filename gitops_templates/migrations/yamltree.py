"""Changes to a ruamel.yaml round-trip tree that keep comments, key order and quoting.

What did not change keeps its node and formatting. ruamel keeps the full-line comments
after an entry with it, though they are about what follows: they move to the entry
before when it is deleted, and stay last when entries are appended.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeAlias

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.scalarstring import DoubleQuotedScalarString as Double
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString, ScalarString
from ruamel.yaml.scalarstring import SingleQuotedScalarString as Single
from ruamel.yaml.tokens import CommentToken

Node: TypeAlias = CommentedMap | CommentedSeq
NODES = (CommentedMap, CommentedSeq)
RESOLVER: Any = yaml.resolver.Resolver()  # YAML 1.1, as `yaml.safe_load` reads plain text
LINES = re.compile(r"[^\n]*\n|[^\n]+\Z")
INDEX = re.compile(r"0|[1-9][0-9]*")
BLOCKS = (LiteralScalarString, FoldedScalarString)
KINDS = (bool, int, float, str)  # in this order: a bool is an int
_UNREADABLE = object()
BREAKS = re.compile("[\n\x85\u2028\u2029]")  # YAML 1.1 breaks lines at all of these


def pointer_tokens(pointer: str) -> list[str]:
    """The path from the document to an RFC 6901 pointer into the values."""
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer into the values: {pointer!r}")
    return ["values", *(t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/"))]


def _key_in(node: Any, token: str) -> Any:
    """The key or index `token` names in `node`, or None."""
    if isinstance(node, CommentedMap):
        return token if token in node else None
    if isinstance(node, CommentedSeq) and INDEX.fullmatch(token) and int(token) < len(node):
        return int(token)
    return None


def _at(doc: CommentedMap, path: list[str]) -> tuple[Any, Any]:
    """(container, key) of the entry at `path`; the key is None when there is none."""
    node: Any = doc
    for token in path[:-1]:
        key = _key_in(node, token)
        node = node[key] if key is not None else None
    return node, _key_in(node, path[-1])


def rename_key(doc: CommentedMap, source: list[str], target: list[str]) -> bool:
    """Rename a key in place, with its position and comments; False if `source` is absent.

    A move to another container is left to the reconciling, without the comments.
    """
    parent, key = _at(doc, source)
    if not isinstance(parent, CommentedMap) or key is None or source[:-1] != target[:-1]:
        return False
    name = target[-1]
    if name in parent and name != key:
        _orphans(*_at(doc, source[:-1]), _delete(parent, name))
    position, comment = list(parent).index(key), parent.ca.items.pop(key, None)
    parent.insert(position, _key(name, key, _flow(parent)), parent.pop(key))
    if comment is not None:
        parent.ca.items[name] = comment
    return True


def set_key(doc: CommentedMap, key: str, new: Any) -> bool:
    """Make `doc[key]` hold `new`, appended when absent; whether anything changed."""
    if key not in doc:
        if new:
            _append(doc, key, _fresh(new, None, False))
        return bool(new)
    if same(doc[key], new):
        return False
    _reconcile(doc, key, new)
    return True


def _reconcile(parent: Node, key: Any, new: Any) -> None:
    """Make `parent[key]` hold `new`, keeping every node that did not change."""
    old = parent[key]
    if isinstance(new, Mapping) and isinstance(old, CommentedMap):
        orphan = "".join(_delete(old, k) for k in reversed([k for k in old if k not in new]))
        for k in list(old):
            _reconcile(old, k, new[k])
        for k in [k for k in new if k not in old]:
            _append(old, _key(k, None, _flow(old)), _fresh(new[k], None, _flow(old)))
    elif isinstance(new, list | tuple) and isinstance(old, CommentedSeq):
        orphan = "".join(_delete(old, k) for k in range(len(old) - 1, len(new) - 1, -1))
        for index, value in enumerate(new):
            if index < len(old):
                _reconcile(old, index, value)
            else:
                _append(old, None, _fresh(value, None, _flow(old)))
    else:
        if not same(old, new):
            _replace(parent, key, _fresh(new, old, _flow(parent)))
        return
    if not old:
        old.fa.set_flow_style()  # `{}` or `[]`, the comments after it
    _orphans(parent, key, orphan)


def same(old: Any, new: Any) -> bool:
    """Equal and of the same kind (`1` is not `True`), and written so YAML 1.1 reads it so."""
    if isinstance(new, Mapping):
        return (
            isinstance(old, Mapping)
            and len(old) == len(new)
            and all(k in old and same(old[k], v) for k, v in new.items())
        )
    if isinstance(new, list | tuple):
        return isinstance(old, list) and len(old) == len(new) and all(map(same, old, new))
    if type(old) is str and _misread(old):  # plain `no` is `false` to YAML 1.1 readers
        old = _as_yaml_1_1(old)
    kind = [next((t for t in KINDS if isinstance(v, t)), type(v)) for v in (old, new)]
    return kind[0] is kind[1] and bool(old == new)


def _as_yaml_1_1(text: str) -> Any:
    """What PyYAML (YAML 1.1) reads from a plain scalar ruamel (YAML 1.2) kept as text."""
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except (yaml.YAMLError, ValueError):
        return _UNREADABLE


def _misread(text: str, flow: bool = False) -> bool:
    """Whether `text`, written plain, would be read as something else than this string."""
    if flow and ("?" in text or ":" in text):  # (YAML 1.1 ends a plain scalar there)
        return True
    tag = RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    return bool(tag != RESOLVER.DEFAULT_SCALAR_TAG)


def _fresh(new: Any, old: Any, flow: bool) -> Any:
    """A node for a new value (in a `flow` collection?), quoted as `old` or as it must be."""
    if isinstance(new, Mapping):
        return CommentedMap((_key(k, None, flow), _fresh(v, None, flow)) for k, v in new.items())
    if isinstance(new, list | tuple):
        return CommentedSeq(_fresh(v, None, flow) for v in new)
    if not isinstance(new, str):
        return new
    if BREAKS.search(new):
        lines = new.split("\n")  # no indentation indicator: ruamel gets it wrong at 4
        plain = all(line == line.rstrip() and line.isprintable() for line in lines)
        return LiteralScalarString(new) if plain and new[:1].strip() else Double(new)
    if isinstance(old, ScalarString) and not isinstance(old, LiteralScalarString):
        return type(old)(new)  # quoted, or folded
    return Double(new) if _misread(new, flow) else new


def _key(name: Any, old: Any, flow: bool) -> Any:
    """A mapping key, quoted like `old` or when YAML would misread it plain."""
    if isinstance(old, Single | Double):
        return type(old)(name)
    if isinstance(name, str) and (_misread(name, flow) or BREAKS.search(name)):
        return Double(name)
    return name


def _flow(node: Node) -> bool:
    return bool(node.fa.flow_style())


def last_key(node: Node) -> Any:
    return len(node) - 1 if isinstance(node, CommentedSeq) else next(reversed(node))


def _replace(parent: Node, key: Any, value: Any) -> None:
    """Set an existing entry; its end-of-line comment and the lines after it stay."""
    old, rest = parent[key], _take_rest(parent, key)
    entry = parent.ca.items.get(key) if isinstance(parent, CommentedMap) else None
    header = getattr(old, "comment", None)  # after a block scalar's `|`
    parent[key] = value
    new: Any = parent[key]  # (ruamel keeps a block style for a plain string)
    if header and type(new) in BLOCKS:
        new.comment = header
    elif entry is not None:  # not what was above the first item of the old value
        entry[3] = None
        if entry[2] is not None:
            entry[2].value = entry[2].value.partition("\n")[0] + "\n"
        elif header:
            entry[2] = CommentToken(header.strip() + "\n", CommentMark(0))
    _put_rest(parent, key, rest)


def _append(parent: Node, key: Any, value: Any) -> None:
    """Add an entry at the end (`key` None for a sequence); the comment lines stay last."""
    rest = _take_rest(parent, last_key(parent)) if parent else ""
    if isinstance(parent, CommentedSeq):
        parent.append(value)
        key = len(parent) - 1
    else:
        parent[key] = value
    _put_rest(parent, key, rest)


def _delete(parent: Node, key: Any) -> str:
    """Remove an entry, its comments and those right above it; the lines after it move
    after the entry before it, or are returned when there is none."""  # noqa: D205, D209
    keys = list(parent) if isinstance(parent, CommentedMap) else list(range(len(parent)))
    index, rest = keys.index(key), _take_rest(parent, key)
    del parent[key]
    if isinstance(parent, CommentedMap):
        parent.ca.items.pop(key, None)
    if index == 0:
        return rest
    _put_rest(parent, keys[index - 1], rest, drop_lead=True)
    return ""


def _orphans(parent: Node, key: Any, lines: str) -> None:
    """Put the comment lines a deleted first entry of `parent[key]` had after it."""
    if lines and parent[key]:  # above the entry now first
        entry = parent.ca.items.setdefault(key, [None] * 4)
        slot = 3 if isinstance(parent, CommentedMap) else 1
        entry[slot] = [*(entry[slot] or []), CommentToken(lines, CommentMark(0))]
    elif lines:
        _put_rest(parent, key, lines)


def _comment(parent: Node, key: Any) -> tuple[Node, Any, str, str]:
    """(container, key, end-of-line comment, full lines after it) of an entry's last line."""
    value = parent[key]
    if isinstance(value, NODES) and value and not value.fa.flow_style():
        return _comment(value, last_key(value))
    entry = parent.ca.items.get(key) or [None] * 4
    token = entry[2 if isinstance(parent, CommentedMap) else 0]
    if token is None or isinstance(value, BLOCKS):  # a block scalar ends its own line
        return parent, key, "", token.value if token else ""
    first, _, rest = token.value.partition("\n")
    return parent, key, first + "\n", rest


def _set_comment(parent: Node, key: Any, eol: str, lines: str) -> None:
    holder, inner = _comment(parent, key)[:2]
    slot = 2 if isinstance(holder, CommentedMap) else 0
    entry = holder.ca.items.setdefault(inner, [None] * 4)
    text = lines if isinstance(holder[inner], BLOCKS) else (eol or "\n") + lines
    if entry[slot] is not None and text:
        entry[slot].value = text  # (its column kept)
    else:
        entry[slot] = CommentToken(text, CommentMark(0)) if text else None


def _take_rest(parent: Node, key: Any) -> str:
    """Cut off the full-line comments after an entry (they are about what follows it)."""
    eol, rest = _comment(parent, key)[2:]
    if rest:
        _set_comment(parent, key, eol, "")
    return rest


def _put_rest(parent: Node, key: Any, rest: str, *, drop_lead: bool = False) -> None:
    """Add comment lines after an entry, first dropping those about the entry below it."""
    eol, mine = _comment(parent, key)[2:]
    lines = LINES.findall(mine)
    while drop_lead and lines and lines[-1].lstrip().startswith("#"):
        lines.pop()
    if rest or len(lines) < len(LINES.findall(mine)):
        _set_comment(parent, key, eol, "".join(lines) + rest)
