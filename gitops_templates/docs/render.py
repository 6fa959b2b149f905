"""Jinja2 for documentation: the loaders, the filters, errors that name the template.

Templates come from the catalog's `docs.templates_dir` first, then the shipped
`doc_templates/`; the shipped ones are also reachable as `builtin/<name>`, so a catalog
can override one block at a time:

    {% extends "builtin/template.md.j2" %}
    {% block usage %}...{% endblock %}

Rendering is sandboxed and bounded (`rendering/sandbox.py`) with `StrictUndefined`; HTML
autoescapes, Markdown escapes metadata with the `md`/`cell` filters. Every failure is an
`InvalidInputError` naming the doc template and line, never a traceback; nothing is
written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from gitops_templates.core import markdown
from gitops_templates.docs.core import model
from gitops_templates.errors import InvalidInputError, Problem
from gitops_templates.rendering.faults import explain
from gitops_templates.rendering.sandbox import (
    BUDGET,
    MAX_DEPTH,
    MAX_OUTPUT,
    Sandbox,
    StrictestUndefined,
    generate_bounded,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

LIMIT_HINT = (
    f"a doc template renders within {BUDGET:g} s and {MAX_OUTPUT} characters, with calls "
    f"nested at most {MAX_DEPTH} deep; fix the doc template (overrides live in "
    "`docs.templates_dir`)"
)
FIX_HINT = "fix the doc template (overrides live in `docs.templates_dir`)"


class _ContainedLoader(jinja2.FileSystemLoader):
    """A catalog's override directory, contained.

    A template that is a symlink leading out of it (to `/etc/passwd`, say) or a special
    file is refused, not rendered into the docs.
    """

    def get_source(self, environment: Any, template: str) -> Any:
        from gitops_templates.catalog import files

        root = Path(self.searchpath[0])
        path = root.joinpath(*template.split("/"))
        if path.exists() or path.is_symlink():
            files.read_bytes(root, path)  # raises when it leaves `root` or is no file
        return super().get_source(environment, template)


class DocRenderer:
    """Renders named doc templates with a data context."""

    def __init__(self, shipped: Path, override: Path | None = None) -> None:
        builtin = jinja2.FileSystemLoader(str(shipped.absolute()))  # errors name absolute files
        loaders: list[Any] = [jinja2.PrefixLoader({"builtin": builtin}), builtin]
        if override is not None:
            loaders.insert(0, _ContainedLoader(str(override.absolute())))
        self.shipped = shipped
        self.override = override
        self.env = Sandbox(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=StrictestUndefined,
            autoescape=jinja2.select_autoescape(
                enabled_extensions=("html", "html.j2"), default_for_string=False
            ),
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.guard_filters(md=markdown.markdown_text, cell=markdown.markdown_cell,
                               code=markdown.inline_code,
                               changelog=model.changelog_markdown)  # fmt: skip

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        """Render `name` (e.g. `template.md.j2`); errors name the doc template and line."""
        try:
            return self._render(name, context)
        except Exception as err:
            fault = explain(err, "doc template")
            if fault is None:
                raise
            hint = LIMIT_HINT if fault.limit else FIX_HINT
            raise self._error(name, fault.message, fault.file or name, fault.line, hint) from None

    def _render(self, name: str, context: Mapping[str, Any]) -> str:
        self.env.start()
        return generate_bounded(self.env.get_template(name), context)

    def _error(self, name: str, message: str, file: str, line: int | None,
               hint: str = FIX_HINT) -> InvalidInputError:  # fmt: skip
        return InvalidInputError(
            f"doc template {name}: {message}",
            hint=hint,
            problems=(Problem(message, file=self._where(file), line=line),),
        )

    def _where(self, file: str) -> str:
        """A template's file as the user knows it: in the override directory or shipped."""
        if file.startswith("builtin/"):
            file = str(self.shipped / file.removeprefix("builtin/"))
        elif not Path(file).is_absolute():  # a template name, looked up as the loaders do
            over = self.override / file if self.override else None
            file = str(over if over and over.is_file() else self.shipped / file)
        path = Path(file).resolve()
        for root, label in ((self.override, str(self.override)), (self.shipped, "doc_templates")):
            if root is not None and path.is_relative_to(root.resolve()):
                return f"{label}/{path.relative_to(root.resolve()).as_posix()}"
        return file
