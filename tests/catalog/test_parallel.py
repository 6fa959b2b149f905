"""fork_map returns what the serial loop returns: same results, order and first error."""

from __future__ import annotations

import os

import pytest

from gitops_templates.catalog import parallel
from gitops_templates.catalog.parallel import can_fork, fork_map

needs_fork = pytest.mark.skipif(not can_fork(), reason="forks only on Linux with 2+ cores")


def square(x: int) -> int:
    return x * x


def pid_of(_: int) -> int:
    return os.getpid()


def fails_at(bad: set[int]):
    def fn(x: int) -> int:
        if x in bad:
            raise ValueError(f"bad {x}")
        return x

    return fn


@needs_fork
def test_results_in_item_order_and_half_of_them_computed_elsewhere():
    items = list(range(101))
    assert fork_map(square, items, min_items=2) == [x * x for x in items]
    pids = fork_map(pid_of, items, min_items=2)
    assert set(pids[0::2]) == {os.getpid()}
    assert os.getpid() not in set(pids[1::2])


def test_few_items_stay_in_this_process():
    assert set(fork_map(pid_of, list(range(10)), min_items=64)) == {os.getpid()}
    assert fork_map(square, [], min_items=0) == []
    assert fork_map(square, [3], min_items=0) == [9]


@pytest.mark.parametrize("bad", [{0}, {1}, {5, 2}, {2, 5}, {7, 8}, {98}, {99}])
def test_the_first_failing_item_raises_as_in_the_serial_loop(bad: set[int]):
    first = min(bad)
    with pytest.raises(ValueError, match=f"bad {first}$"):
        fork_map(fails_at(bad), list(range(100)), min_items=2)


def test_unpicklable_results_are_computed_here():
    items = list(range(20))
    out = fork_map(lambda x: lambda: x, items, min_items=2)  # lambdas do not pickle
    assert [f() for f in out] == items


def test_a_child_that_dies_is_made_up_for(monkeypatch: pytest.MonkeyPatch):
    def dies_in_child(x: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        return x + 1

    parent = os.getpid()
    assert fork_map(dies_in_child, list(range(30)), min_items=2) == list(range(1, 31))


def test_progress_is_reported_here_only_and_reaches_the_total():
    seen: list[int] = []
    fork_map(square, list(range(50)), min_items=2, progress=seen.append)
    assert seen == sorted(seen)
    assert seen[0] == 0
    assert max(seen) <= 50


def test_without_fork_it_is_the_serial_loop(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(parallel, "can_fork", lambda: False)
    seen: list[int] = []
    assert fork_map(pid_of, [1, 2, 3], min_items=0, progress=seen.append) == [os.getpid()] * 3
    assert seen == [0, 1, 2]
