"""The README's command reference, rendered from the click app itself.

`python -m gitops_templates.cli._reference README.md` rewrites the section between the
markers; a test fails when the README and the CLI disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gitops_templates.cli import COMMANDS, main

BEGIN = "<!-- BEGIN command reference -->"
END = "<!-- END command reference -->"


def render_reference() -> str:
    """Markdown: the top-level help, then each command's help."""
    parts = [_help(main, "gitops-templates", None)]
    ctx = click.Context(main, info_name="gitops-templates")
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert command is not None
        parts.append(f"### `{name}`\n\n" + _help(command, name, ctx))
    return "\n\n".join(parts) + "\n"


def _help(command: click.Command, name: str, parent: click.Context | None) -> str:
    ctx = click.Context(
        command,
        info_name=name,
        parent=parent,
        terminal_width=100,
        help_option_names=["-h", "--help"],
    )
    return "```text\n" + command.get_help(ctx).rstrip() + "\n```"


def replace_section(text: str, reference: str) -> str:
    """`text` with the reference between the markers."""
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{reference}{END}{tail}"


if __name__ == "__main__":
    readme = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    readme.write_text(replace_section(readme.read_text(), render_reference()))
