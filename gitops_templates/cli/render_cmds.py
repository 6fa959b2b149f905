"""`render`: a template's files rendered with values, from the work tree or any version."""

from __future__ import annotations

import click

from gitops_templates.cli._complete import template_refs
from gitops_templates.cli._context import AppContext, json_option, pass_app
from gitops_templates.cli._output import emit_json, note, out


@click.command()
@click.argument("ref", metavar="ID[@VERSION|@REV]", shell_complete=template_refs)
@click.option("-f", "--values", "value_files", multiple=True, metavar="FILE",
              help="A YAML file of parameter values (repeatable; later files win).")  # fmt: skip
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="One value (dotted key, YAML scalar: db.port=5432); wins over -f.")  # fmt: skip
@click.option("-o", "--output-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Write the files below DIR instead of printing them.")  # fmt: skip
@json_option
@pass_app
def render(
    app: AppContext,
    ref: str,
    value_files: tuple[str, ...],
    sets: tuple[str, ...],
    output_dir: str | None,
    as_json: bool,
) -> None:
    """Render a template: the work tree, or a version or revision straight from Git.

    Defaults come from the parameter schema and values are validated before anything
    renders; bodies render sandboxed. `--json` prints {path: content}.
    """
    tid, _, version = ref.partition("@")
    result = app.catalog.render(tid, version or None, value_files=value_files, sets=sets)
    if output_dir is not None:
        from pathlib import Path

        from gitops_templates.rendering.output_dir import write_outputs

        written = write_outputs(Path(output_dir), result.files)
        if not as_json:
            note(f"wrote {len(written)} file(s) to {output_dir}")
            for path in written:
                note(f"  {path}")
    if as_json:
        emit_json(dict(result.files))
    elif output_dir is None:
        from gitops_templates.cli.testing_cmds import fenced

        with fenced():  # rendered text is the catalog's: no workflow commands from it
            for index, (path, text) in enumerate(result.files.items()):
                out(("\n" if index else "") + f"==> {path} <==")
                out(text, nl=not text.endswith("\n"))
