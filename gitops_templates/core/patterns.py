"""Regular expressions users write (JSON Schema `pattern`s), matched under a time budget.

The `regex` engine takes a timeout per match, which Python's `re` cannot: `^(a+)+$`
on a long value becomes an error naming the pattern instead of minutes of work. Pure.
"""

from __future__ import annotations

from gitops_templates.errors import InvalidInputError

PATTERN_BUDGET = 0.05  # seconds for one match of a user pattern


class PatternTooSlowError(InvalidInputError):
    """A user pattern exceeded its time budget on a value."""

    def __init__(self, pattern: str, length: int) -> None:
        super().__init__(
            f"pattern {pattern!r} takes more than {int(PATTERN_BUDGET * 1000)} ms on a "
            f"{length}-character value (catastrophic backtracking?)",
            hint="rewrite it without nested quantifiers such as (a+)+ or (a|a)*",
        )
        self.pattern = pattern


def search(pattern: str, text: str) -> bool:
    """`re.search(pattern, text) is not None`, in the `regex` engine, under the budget.

    Raises `PatternTooSlowError` past the budget and `ValueError` for a pattern that
    does not compile.
    """
    import regex

    try:
        return regex.search(pattern, text, timeout=PATTERN_BUDGET) is not None
    except TimeoutError:
        raise PatternTooSlowError(pattern, len(text)) from None
    except regex.error as err:
        raise ValueError(f"pattern {pattern!r} is not a regular expression: {err}") from None
