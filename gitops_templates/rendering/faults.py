"""What went wrong in a sandboxed render, said in one line with the template file and line.

Shared by documentation and template bodies: a syntax error, a sandbox refusal, a limit,
a Python error in a template's own expression (`1 / 0`) is described; anything else is
not the template's fault and is re-raised by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import TemplateError, TemplateNotFound, TemplateSyntaxError
from jinja2.exceptions import SecurityError

from gitops_templates.rendering.sandbox import TEMPLATE_FAULTS, LimitError


@dataclass(frozen=True, slots=True)
class Fault:
    """A template's failure, where it is, and whether it hit a limit of the sandbox."""

    message: str
    file: str | None
    line: int | None
    limit: bool


def explain(err: Exception, kind: str = "template") -> Fault | None:
    """The fault behind `err`, or None when it is not the template's (re-raise it)."""
    if isinstance(err, TemplateSyntaxError):
        where = err.filename or err.name
        return Fault(one_line(f"syntax error: {err.message}"), where, err.lineno, False)
    message = describe(err, kind)
    if message is None:
        return None
    file, line = origin(err)
    return Fault(one_line(message), file, line, is_limit(err))


def describe(err: Exception, kind: str = "template") -> str | None:
    """What went wrong in a template, or None for an error that is not the template's."""
    if isinstance(err, TemplateNotFound):
        return f"{kind} {err.name!r} not found"
    if isinstance(err, SecurityError):
        return f"not allowed in the sandbox: {err}"
    if isinstance(err, TemplateError | LimitError):
        return str(getattr(err, "message", None) or err)
    if isinstance(err, RecursionError | SyntaxError):  # Python's limits, at run or compile time
        return "nests too deeply (a macro, include or extends calling itself, or deep blocks?)"
    if isinstance(err, MemoryError):
        return "runs out of memory"
    if isinstance(err, UnicodeEncodeError):
        return "renders text that is not Unicode (a lone surrogate?)"
    if isinstance(err, TEMPLATE_FAULTS):
        return f"{type(err).__name__}: {err}"
    return None


def is_limit(err: Exception) -> bool:
    """A limit of the sandbox (time, size, depth), not a mistake in the template's code."""
    return not isinstance(err, (TemplateError, *TEMPLATE_FAULTS))  # SecurityError included


def origin(err: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in the traceback Jinja rewrote."""
    file, line = None, None
    tb = err.__traceback__
    while tb is not None:
        if "__jinja_exception__" in tb.tb_frame.f_globals:  # a frame Jinja made for a template
            file, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return file, line


def one_line(text: str, limit: int = 300) -> str:
    """`text` on one line, at most `limit` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
