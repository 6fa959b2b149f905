"""Printing helpers: JSON on stdout, human messages on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from gitops_templates.core.jsonform import JsonDocument
    from gitops_templates.core.models import Notice
    from gitops_templates.errors import GitOpsTemplatesError, Problem


def emit_json(document: JsonDocument | dict[str, Any]) -> None:
    """One JSON document on stdout: a result object, or its JSON form.

    Indented on a terminal; piped, on one line (json's C encoder: a 400 KB plan in a
    third of the time the indenting pure-Python one takes).
    """
    import json
    import sys

    from gitops_templates.core.jsonform import to_json  # not on the --help path

    data = document if isinstance(document, dict) else to_json(document)
    indent = 2 if sys.stdout.isatty() else None
    click.echo(json.dumps(data, indent=indent, ensure_ascii=False, sort_keys=False))


def emitted_json(result: JsonDocument, as_json: bool) -> bool:
    """Print `result` as JSON when `--json` was given; True when it did."""
    if as_json:
        emit_json(result)
    return as_json


def out(text: str = "", *, nl: bool = True) -> None:
    """A line of the human report (stdout)."""
    click.echo(text, nl=nl)


def note(text: str) -> None:
    """A message for humans (stderr)."""
    click.echo(text, err=True)


def problem_line(problem: Problem) -> str:
    """`file:line: pointer: message [rule]` plus the hint on its own line."""
    where = problem.location()
    rule = f" [{problem.rule}]" if problem.rule else ""
    text = f"  {where + ': ' if where else ''}{problem.message}{rule}"
    if problem.hint:
        text += f"\n    hint: {problem.hint}"
    return text


def show_problems(problems: Iterable[Problem]) -> None:
    """Every problem on stderr."""
    for problem in problems:
        note(problem_line(problem))


def show_notices(notices: Iterable[Notice]) -> None:
    """Warnings on stderr, once each, naming the template they are about."""
    seen: set[str] = set()
    for notice in notices:
        text = notice.message
        if notice.subject and not text.startswith((notice.subject, f"{notice.subject}@")):
            text = f"{notice.subject}: {text}"
        if text not in seen:
            seen.add(text)
            note(click.style("warning: ", fg="yellow") + text)


class Progress:
    """`label: done/total` on stderr, for work that takes more than about a second.

    Only on a terminal; redrawn at most ten times a second; the line is cleared when
    the work is done, so what follows (or `--json` on stdout) is untouched.
    """

    def __init__(self, delay: float = 1.0, clock: Callable[[], float] | None = None) -> None:
        import time

        self._clock = clock or time.monotonic
        self._start = self._clock()
        self._delay = delay
        self._drawn = 0.0

    def __call__(self, label: str, done: int, total: int) -> None:
        """Report `done` of `total` items of `label`."""
        now = self._clock()
        if now - self._start < self._delay:
            return
        if done >= total:
            if self._drawn:
                click.echo("\r\x1b[2K", err=True, nl=False, color=True)
                self._drawn = 0.0
            return
        if now - self._drawn >= 0.1:
            click.echo(f"\r\x1b[2K{label}: {done}/{total}", err=True, nl=False, color=True)
            self._drawn = now


def report_error(err: GitOpsTemplatesError) -> None:
    """The one way errors reach the user."""
    note(click.style("Error: ", fg="red", bold=True) + err.message)
    show_problems(err.problems)
    if err.hint:
        note(f"hint: {err.hint}")
