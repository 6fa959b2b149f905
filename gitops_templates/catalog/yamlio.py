"""Safe YAML loading with line numbers, duplicate-key and alias-bomb protection.

Every document is composed with PyYAML's safe loader (libyaml's, `CSafeLoader`, when
PyYAML was built with it: about eight times faster; the pure-Python one otherwise, with
the same data, lines and error lines), checked (one document, no duplicate keys, no
recursive aliases, keys that are plain values, at most `MAX_NODES` nodes once aliases
are expanded), then constructed. A map from JSON paths to line numbers comes with it, so
schema errors can point at the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable

SAFE_LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 100_000
Path_ = tuple[str | int, ...]
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """Loaded data plus the line (1-based) of each JSON path."""

    data: Any
    lines: dict[Path_, int]
    source: str

    def line_of(self, path: Path_) -> int | None:
        """Line of the nearest enclosing node of `path`."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def load_yaml(
    text: str | bytes, source: str, *, loader_class: type[Any] = SAFE_LOADER
) -> YamlDocument:
    """Parse one YAML document safely, or raise `InvalidInputError` naming `source`."""
    return _parsed(text, source, loader_class, _compose)


def load_yaml_documents(
    text: str | bytes,
    source: str,
    *,
    loader_class: type[Any] = SAFE_LOADER,
    max_bytes: int = MAX_BYTES,
) -> list[YamlDocument]:
    """Every document of a YAML stream (`---` between them), each checked like one."""
    return _parsed(text, source, loader_class, _compose_all, max_bytes)


def _parsed(
    text: str | bytes,
    source: str,
    loader_class: type[Any],
    compose: Callable[[type[Any], str, str], _T],
    max_bytes: int = MAX_BYTES,
) -> _T:
    if isinstance(text, bytes):
        if len(text) > max_bytes:
            raise _error(source, f"file is larger than {max_bytes} bytes")
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            raise _error(source, f"not valid UTF-8 (byte {err.start})") from err
    if len(text) > max_bytes:
        raise _error(source, f"file is larger than {max_bytes} bytes")
    try:
        return compose(loader_class, text, source)
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        raise _error(source, f"invalid YAML: {err.problem}", line=line) from err
    except yaml.reader.ReaderError as err:
        line = text.count("\n", 0, err.position) + 1
        char = f"#x{err.character:04x}" if isinstance(err.character, int) else repr(err.character)
        message = (
            f"invalid YAML: unacceptable character {char} (control characters are not allowed)"
        )
        raise _error(source, message, line=line) from err
    except yaml.YAMLError as err:
        raise _error(source, f"invalid YAML: {err}") from err
    except RecursionError as err:
        raise _error(source, "invalid YAML: nested too deeply") from err
    except ValueError as err:  # a value the constructor refuses: an integer of 5000 digits
        reason = str(err).split(";")[0]
        raise _error(source, f"invalid YAML: a value cannot be read: {reason}") from err


def _compose(loader_class: type[Any], text: str, source: str) -> YamlDocument:
    loader = loader_class(text)  # the reader checks characters here: inside the `try`
    _remember_tags(loader)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(None, {}, source)
        lines: dict[Path_, int] = {}
        if "&" not in text:  # no anchor, so no alias: a tree, checked and built in one walk
            try:
                data = _Tree(loader, lines, source).build(node, ())
                return YamlDocument(data, lines, source)
            except _Unusual:
                lines = {}
        _check(node, (), lines, source, set(), [0])
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    return YamlDocument(data, lines, source)


def _compose_all(loader_class: type[Any], text: str, source: str) -> list[YamlDocument]:
    loader = loader_class(text)
    _remember_tags(loader)
    documents = []
    count = [0]  # aliases and nodes counted over the whole stream
    try:
        while loader.check_node():
            node = loader.get_node()
            lines: dict[Path_, int] = {}
            if node is not None and "&" not in text:  # no alias: as `_compose` does
                tree = _Tree(loader, lines, source, count[0])
                try:
                    data = tree.build(node, ())
                    count[0] = tree.count
                    documents.append(YamlDocument(data, lines, source))
                    continue
                except _Unusual:
                    lines = {}
            if node is not None:
                _check(node, (), lines, source, set(), count)
            documents.append(YamlDocument(loader.construct_document(node), lines, source))
    finally:
        loader.dispose()
    return documents


_TAG_MEMO_LIMIT = 20_000  # distinct nodes remembered per loader class
_TAG_MEMO_LENGTH = 64  # longer scalars are resolved every time
_TAG_MEMOS: dict[type[Any], dict[tuple[Any, str | None, tuple[bool, bool]], str]] = {}


def _remember_tags(loader: Any) -> None:
    """Give `loader` a memo of the tags its resolver gives nodes.

    The composer asks the resolver for the tag of every node (libyaml's too, calling
    back into Python), which tries the implicit resolvers' regular expressions each
    time; a template.yaml repeats the same few keys and values (`type`, `string`,
    `description`) hundreds of times. Without path resolvers (the safe loaders have
    none) the tag is a function of the node's kind, scalar and style alone, so it is
    remembered per loader class, for collections and short scalars, up to a bound.
    """
    if type(loader).yaml_path_resolvers:
        return
    memo = _TAG_MEMOS.setdefault(type(loader), {})
    resolve = loader.resolve

    def remembered(kind: Any, value: Any, implicit: tuple[bool, bool]) -> str:
        key = (kind, value, implicit)  # value None: a mapping or a sequence
        tag = memo.get(key)
        if tag is None:
            tag = resolve(kind, value, implicit)
            short = value is None or len(value) <= _TAG_MEMO_LENGTH
            if short and len(memo) < _TAG_MEMO_LIMIT:
                memo[key] = tag
        return tag

    loader.resolve = remembered


class _Unusual(Exception):
    """A node the one-walk build leaves to PyYAML's constructor (and `_check`)."""


_TAG = "tag:yaml.org,2002:"


class _Tree:
    """`_check` and PyYAML's safe constructor in one walk, for alias-free documents.

    Only plain mappings, sequences and str/int/float/bool/null scalars are built here,
    with the constructor's own conversions, in the order `_check` visits them, raising
    what it raises; any other node (a timestamp, a merge key, a binary, a set, a
    non-scalar key, a conversion that fails, nesting too deep) raises `_Unusual` and the
    document is checked and constructed the usual way, with the usual outcome.
    """

    def __init__(self, loader: Any, lines: dict[Path_, int], source: str, count: int = 0) -> None:
        self.lines = lines
        self.source = source
        self.count = count  # nodes counted before (the documents of a stream before this one)
        self.scalars: dict[str, Any] = {
            _TAG + "str": lambda n: n.value,
            _TAG + "null": lambda n: None,
            _TAG + "bool": loader.construct_yaml_bool,
            _TAG + "int": loader.construct_yaml_int,
            _TAG + "float": loader.construct_yaml_float,
        }

    def build(self, node: Any, path: Path_) -> Any:
        try:
            return self._build(node, path)
        except RecursionError:
            raise _Unusual from None
        except InvalidInputError:
            raise
        except Exception as err:  # a conversion the constructor would report its own way
            raise _Unusual from err

    def _build(self, node: Any, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _error(self.source,
                         f"document expands to more than {MAX_NODES} nodes (an alias bomb?)",
                         line=node.start_mark.line + 1)  # fmt: skip
        self.lines.setdefault(path, node.start_mark.line + 1)
        kind, tag = type(node), node.tag
        if kind is yaml.MappingNode and tag == _TAG + "map":
            out: dict[Any, Any] = {}
            seen: set[str] = set()
            for key_node, value_node in node.value:
                convert = self.scalars.get(key_node.tag)
                if type(key_node) is not yaml.ScalarNode or convert is None:
                    raise _Unusual
                key = str(key_node.value)
                if key in seen:
                    raise _error(self.source, f"duplicate key {key!r}",
                                 line=key_node.start_mark.line + 1)  # fmt: skip
                if key == "<<":
                    raise _Unusual
                seen.add(key)
                out[convert(key_node)] = self._build(value_node, (*path, key))
            return out
        if kind is yaml.SequenceNode and tag == _TAG + "seq":
            return [self._build(item, (*path, index)) for index, item in enumerate(node.value)]
        convert = self.scalars.get(tag)
        if convert is None or kind is not yaml.ScalarNode:
            raise _Unusual
        return convert(node)


def dump_yaml(value: Any, *, width: int = 100) -> str:
    """Block-style YAML (safe dumper, keys in their order, Unicode kept)."""
    import yaml

    dumped: str = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=width)
    return dumped


def _check(
    node: yaml.Node,
    path: Path_,
    lines: dict[Path_, int],
    source: str,
    active: set[int],
    count: list[int],
) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _error(
            source,
            f"document expands to more than {MAX_NODES} nodes (an alias bomb?)",
            line=node.start_mark.line + 1,
        )
    if id(node) in active:
        raise _error(source, "recursive alias", line=node.start_mark.line + 1)
    lines.setdefault(path, node.start_mark.line + 1)
    active.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # never str() it: an alias bomb
                raise _error(source, "a mapping key must be a plain value, not a list or "
                             "mapping", line=key_node.start_mark.line + 1)  # fmt: skip
            key = str(key_node.value)
            if key in seen and key != "<<":
                raise _error(
                    source,
                    f"duplicate key {key!r}",
                    line=key_node.start_mark.line + 1,
                )
            seen.add(key)
            _check(value_node, (*path, key), lines, source, active, count)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _check(item, (*path, index), lines, source, active, count)
    active.discard(id(node))


def _error(source: str, message: str, *, line: int | None = None) -> InvalidInputError:
    from gitops_templates.errors import Problem

    problem = Problem(message, file=source, line=line)
    return InvalidInputError(
        f"{problem.location()}: {message}",
        hint="fix the YAML syntax; quote strings that YAML would read otherwise",
        problems=(problem,),
    )
