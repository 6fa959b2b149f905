"""Regular expressions users write (JSON Schema `pattern`s), matched under a time budget.

The `regex` engine takes a timeout per match, which Python's `re` cannot: `^(a+)+$`
on a long value becomes an error naming the pattern instead of minutes of work. Pure.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from gitops_templates.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterator

PATTERN_BUDGET = 0.05  # seconds for one match of a user pattern
TOTAL_BUDGET = 2.0  # seconds for all the matches of one validation (`total_budget`)
_DEADLINE: ContextVar[float] = ContextVar("pattern_deadline", default=math.inf)


class PatternTooSlowError(InvalidInputError):
    """A user pattern exceeded its time budget on a value."""

    def __init__(self, pattern: str, length: int) -> None:
        super().__init__(
            f"pattern {pattern!r} takes more than {int(PATTERN_BUDGET * 1000)} ms on a "
            f"{length}-character value (catastrophic backtracking?)",
            hint="rewrite it without nested quantifiers such as (a+)+ or (a|a)*",
        )
        self.pattern = pattern


@contextmanager
def total_budget(seconds: float = TOTAL_BUDGET) -> Iterator[None]:
    """All the matches inside share `seconds` (500 slow values cannot take 500 budgets)."""
    token = _DEADLINE.set(min(_DEADLINE.get(), time.monotonic() + seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def search(pattern: str, text: str, *, multiline: bool = False) -> bool:
    """`re.search(pattern, text) is not None`, in the `regex` engine, under the budget.

    Raises `PatternTooSlowError` past the budget (of the match, or of the `total_budget`
    around it) and `ValueError` for a pattern that does not compile.
    """
    import regex

    remaining = _DEADLINE.get() - time.monotonic()
    if remaining <= 0:
        raise PatternTooSlowError(pattern, len(text))
    try:
        flags = regex.MULTILINE if multiline else 0
        timeout = min(PATTERN_BUDGET, remaining)
        return regex.search(pattern, text, flags=flags, timeout=timeout) is not None
    except TimeoutError:
        raise PatternTooSlowError(pattern, len(text)) from None
    except regex.error as err:
        raise ValueError(f"pattern {pattern!r} is not a regular expression: {err}") from None
