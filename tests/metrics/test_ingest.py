"""The import's fast path takes only what the checked path accepts, with the same result."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gitops_templates.errors import InvalidInputError
from gitops_templates.metrics.ingest import event, plain_row

VALUES = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12),
                   st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4),
                   st.lists(st.integers(), max_size=1))  # fmt: skip


@settings(max_examples=2000, database=None)
@given(st.fixed_dictionaries({}, optional={
    "time": VALUES, "template": VALUES, "version": VALUES, "ok": VALUES,
    "latency_ms": VALUES, "instance": VALUES,
}))  # fmt: skip
def test_the_fast_path_agrees_with_the_checked_one(row: dict[str, Any]):
    fast = plain_row(row)
    if fast is None:
        return  # the checked path decides, with its messages
    try:
        checked = event(row, "line")
    except InvalidInputError:
        raise AssertionError(f"the fast path took {row!r}, which the checked one refuses") from None
    assert fast == (checked.time, checked.template, checked.version, checked.instance,
                    int(checked.ok), checked.latency_ms)  # fmt: skip
