"""Rendering a template's body files in the sandbox, from a `TemplateSource`.

The loader reads only the source: the template's own files and `_shared/` (as
`_shared/<path>`), so an `{% include %}` cannot reach anything else, whatever the path
says. Bodies render with `StrictUndefined` (a missing value is an error, not an empty
string), `trim_blocks` (as Ansible does), `keep_trailing_newline`, no autoescaping, and
the bounds of `rendering/sandbox.py`. `to_json` writes JSON that YAML reads too (use it
to quote a value in a YAML body; Jinja's `tojson` escapes for HTML instead). The context
is the values themselves, plus `values` (the whole mapping) and `template` (`id`,
`version`); those two names win over parameters of the same name.
"""

from __future__ import annotations

import base64
import json
import math
import re
import threading
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2 import TemplateNotFound

from gitops_templates.errors import InvalidInputError, Problem
from gitops_templates.rendering.core.spec import clean_path
from gitops_templates.rendering.faults import explain, one_line
from gitops_templates.rendering.sandbox import (
    BUDGET,
    MAX_DEPTH,
    MAX_OUTPUT,
    Sandbox,
    StrictestUndefined,
    generate_bounded,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from gitops_templates.rendering.source import TemplateSource

LIMIT_HINT = (
    f"a body renders within {BUDGET:g} s and {MAX_OUTPUT} characters, with calls nested at "
    f"most {MAX_DEPTH} deep"
)
FIX_HINT = "fix the body file, or the values it was given"


class _SourceLoader(jinja2.BaseLoader):
    """Templates by path inside the source; nothing else exists."""

    def __init__(self, source: TemplateSource) -> None:
        self.source = source

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        path = clean_path(template)
        if path is not None and path in self.source.links:
            raise TemplateNotFound(template, f"{template!r} is a symbolic link (never followed)")
        data = self.source.read(path) if path is not None else None
        if data is None:
            raise TemplateNotFound(template)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise TemplateNotFound(template, f"{template!r} is not UTF-8 text ({err})") from None
        assert path is not None
        return text, path, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.source.files)


def _defined(value: Any) -> Any:
    """`value`, after an undefined name anywhere inside it raised its error (exit 3)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, jinja2.Undefined):
            item._fail_with_undefined_error()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return value


def _to_yaml(value: Any, indent: int = 2) -> str:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    try:
        return yaml.dump(_defined(value), Dumper=dumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, indent=indent)  # fmt: skip
    except yaml.YAMLError as err:  # a value YAML has no form for (a template reference...)
        raise TypeError(f"to_yaml cannot write {type(value).__name__} values: {err}") from None


# What YAML refuses to read raw (PyYAML's reader), and the line breaks it would fold
# inside a quoted scalar (NEL, LS, PS): JSON escapes them as `\uXXXX` instead
_NOT_YAML_SAFE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _to_json(value: Any, indent: int | None = None) -> str:
    """JSON that is also valid YAML (a quoted scalar, a flow mapping), non-ASCII kept."""
    text = json.dumps(_defined(value), indent=indent, ensure_ascii=False, sort_keys=False)
    return _NOT_YAML_SAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def _b64encode(value: Any) -> str:
    return base64.b64encode(str(value).encode()).decode("ascii")


def _b64decode(value: Any) -> str:
    return base64.b64decode(str(value)).decode("utf-8", "replace")


class _CompiledBodies(jinja2.BytecodeCache):
    """Compiled bodies in memory, by name and content, shared by every renderer."""

    LIMIT = 2048

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Any) -> None:
        found = self.code.get(f"{bucket.key}:{bucket.checksum}")
        if found is not None:
            bucket.bytecode_from_string(found)

    def dump_bytecode(self, bucket: Any) -> None:
        if len(self.code) >= self.LIMIT:
            self.code.pop(next(iter(self.code)))
        self.code[f"{bucket.key}:{bucket.checksum}"] = bucket.bytecode_to_string()


_COMPILED = _CompiledBodies()
_LOCAL = threading.local()


def _sandbox() -> Sandbox:
    """One sandbox per thread, shared by every renderer: building one costs more than a render.

    A render sets its loader and `start`s it, which resets every count of the one before;
    Jinja caches templates by loader, so two sources' files are never mixed up.
    """
    env: Sandbox | None = getattr(_LOCAL, "env", None)
    if env is None:
        env = _LOCAL.env = Sandbox(
            bytecode_cache=_COMPILED,
            undefined=StrictestUndefined,
            autoescape=False,
            trim_blocks=True,
            keep_trailing_newline=True,
        )
        env.guard_filters(to_yaml=_to_yaml, to_json=_to_json, b64encode=_b64encode,
                          b64decode=_b64decode)  # fmt: skip
    return env


class BodyRenderer:
    """Renders the body files of one template source."""

    def __init__(self, source: TemplateSource) -> None:
        self.source = source
        self.loader = _SourceLoader(source)

    @property
    def env(self) -> Sandbox:
        """This thread's sandbox, reading this source (see `_sandbox`)."""
        env = _sandbox()
        env.loader = self.loader
        return env

    def render(self, path: str, values: Mapping[str, Any], meta: Mapping[str, Any],
               deadline: float = math.inf) -> str:  # fmt: skip
        """Render the body at `path`; an error names the body file and line (exit 3).

        The render stops at `BUDGET` seconds or at `deadline` (a whole render's), sooner.
        """
        names = {k: v for k, v in values.items() if isinstance(k, str)}
        context = {**names, "values": values, "template": meta}
        env = self.env
        try:
            env.start(deadline)
            return generate_bounded(env.get_template(path), context)
        except TemplateNotFound as err:
            missing = err.message if err.message and err.message != err.name else None
            raise self._error(missing or f"{err.name!r} not found", path, None,
                              "bodies include files of their own template or "
                              "`_shared/<path>`") from None  # fmt: skip
        except Exception as err:
            fault = explain(err, "body")
            if fault is None:
                raise
            raise self._error(fault.message, fault.file or path, fault.line,
                              LIMIT_HINT if fault.limit else FIX_HINT) from None  # fmt: skip

    def _error(self, message: str, file: str, line: int | None,
               hint: str = FIX_HINT) -> InvalidInputError:  # fmt: skip
        message = one_line(message)  # the loader's own messages too
        shown = self.source.shown(file)
        return InvalidInputError(
            f"{shown}{f':{line}' if line else ''}: {message}",
            hint=hint,
            problems=(Problem(message, file=shown, line=line, rule="render"),),
        )
