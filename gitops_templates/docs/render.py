"""Jinja2 for documentation: the sandbox, the loaders, the filters. The only docs IO.

Templates come from the catalog's `docs.templates_dir` first, then the shipped
`doc_templates/`; the shipped ones are also reachable as `builtin/<name>`, so a catalog
can override one block at a time:

    {% extends "builtin/template.md.j2" %}
    {% block usage %}...{% endblock %}

Rendering is sandboxed (`ImmutableSandboxedEnvironment`) with `StrictUndefined`;
HTML autoescapes, Markdown escapes metadata with the `md`/`cell` filters. Output is
capped: a doc template that explodes fails instead of filling the disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gitops_templates.docs.core.model import (
    changelog_markdown,
    inline_code,
    markdown_cell,
    markdown_text,
)
from gitops_templates.errors import InvalidInputError, Problem

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from jinja2 import Environment

MAX_OUTPUT = 8 * 1024 * 1024  # characters per rendered file


class DocRenderer:
    """Renders named doc templates with a data context."""

    def __init__(self, shipped: Path, override: Path | None = None) -> None:
        from jinja2 import (
            ChoiceLoader,
            FileSystemLoader,
            PrefixLoader,
            StrictUndefined,
            select_autoescape,
        )
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        builtin = FileSystemLoader(str(shipped))
        loaders: list[Any] = [PrefixLoader({"builtin": builtin}), builtin]
        if override is not None:
            loaders.insert(0, FileSystemLoader(str(override)))
        self.override = override
        self.env: Environment = ImmutableSandboxedEnvironment(
            loader=ChoiceLoader(loaders),
            undefined=StrictUndefined,
            autoescape=select_autoescape(
                enabled_extensions=("html", "html.j2"), default_for_string=False
            ),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            md=markdown_text, cell=markdown_cell, code=inline_code, changelog=changelog_markdown
        )

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render `name` (e.g. `template.md.j2`); errors name the doc template."""
        from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
        from jinja2.exceptions import SecurityError

        try:
            template = self.env.get_template(name)
            pieces = []
            size = 0
            for piece in template.generate(**context):
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise InvalidInputError(
                        f"doc template {name} renders more than {MAX_OUTPUT} characters",
                        hint="check loops in the overriding doc template",
                    )
                pieces.append(piece)
            return "".join(pieces)
        except TemplateSyntaxError as err:
            where = err.filename or name
            raise self._error(name, f"syntax error: {err.message}", where, err.lineno) from None
        except TemplateNotFound as err:
            raise self._error(name, f"doc template {err.name!r} not found", name, None) from None
        except SecurityError as err:
            raise self._error(name, f"not allowed in the sandbox: {err}", name, None) from None
        except TemplateError as err:
            raise self._error(name, str(err.message or err), name, None) from None

    def _error(self, name: str, message: str, file: str, line: int | None) -> InvalidInputError:
        where = f"{self.override}/{file}" if self.override and (self.override / file).is_file() \
            else f"doc_templates/{file}"  # fmt: skip
        return InvalidInputError(
            f"doc template {name}: {message}",
            hint="fix the doc template (overrides live in `docs.templates_dir`)",
            problems=(Problem(message, file=where, line=line),),
        )
