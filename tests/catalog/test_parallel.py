"""fork_map returns what the serial loop returns; a streaming child is read without waiting."""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from collections.abc import Callable

import pytest

from gitops_templates.catalog import parallel
from gitops_templates.catalog.parallel import can_fork, fork_map
from gitops_templates.catalog.workspace import Workspace
from tests.helpers import RepoBuilder

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


def sends(
    values: list[object], *, then_sleep: float = 0.0, then_fail: bool = False
) -> Callable[[Callable[[object], None]], None]:
    def fn(send: Callable[[object], None]) -> None:
        for value in values:
            send(value)
        time.sleep(then_sleep)
        if then_fail:
            raise RuntimeError("the child fails")

    return fn


@needs_fork
def test_what_a_child_sends_arrives_in_order_and_whole():
    big = "x" * 3_000_000  # larger than any pipe: a spool file never blocks the child
    stream = parallel.fork_stream(sends([1, {"a": [2]}, big]))
    assert stream is not None
    assert stream.wait() == [1, {"a": [2]}, big]


@needs_fork
def test_reading_never_waits_for_a_child_still_working():
    stream = parallel.fork_stream(sends(["first"], then_sleep=60))
    assert stream is not None
    deadline, found = time.monotonic() + 20, list[object]()
    while not found and time.monotonic() < deadline:
        found = stream.ready()  # returns at once, with what is whole so far
    started = time.monotonic()
    stream.stop()  # the child is still sleeping: ended now, not in a minute
    assert (found, stream_gone(stream)) == (["first"], True)
    assert time.monotonic() - started < 10


def stream_gone(stream: parallel.Streamed) -> bool:
    try:
        os.kill(stream.pid, 0)  # reaped: no such process any more
    except ProcessLookupError:
        return True
    return False


@needs_fork
def test_what_a_failing_child_sent_before_it_failed_is_kept():
    stream = parallel.fork_stream(sends([1, 2], then_fail=True))
    assert stream is not None
    assert stream.wait() == [1, 2]


def test_a_value_still_being_written_is_not_read():
    whole, half = pickle.dumps(["whole"]), pickle.dumps(["half"])
    with tempfile.TemporaryFile() as spool:
        spool.write(len(whole).to_bytes(8, "big") + whole + len(half).to_bytes(8, "big"))
        spool.write(half[:3])
        spool.flush()
        stream = parallel.Streamed(os.getpid(), spool)  # only read here: never stopped
        assert stream.ready() == ["whole"]
        spool.write(half[3:])
        spool.flush()
        assert stream.ready() == ["half"]


@needs_fork
def test_a_failure_while_taking_in_the_last_values_still_ends_the_child(
    repo: RepoBuilder, monkeypatch: pytest.MonkeyPatch
):
    started: list[parallel.Streamed] = []
    real = parallel.fork_stream

    def recorded(fn: Callable[[Callable[[object], None]], object]) -> parallel.Streamed | None:
        stream = real(fn)
        if stream is not None:
            started.append(stream)
        return stream

    def interrupted(self: parallel.Meanwhile) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(parallel, "fork_stream", recorded)
    monkeypatch.setattr(parallel.Meanwhile, "absorb", interrupted)
    ws = Workspace(repo.path)
    with (
        pytest.raises(KeyboardInterrupt),
        parallel.learned_meanwhile(ws, lambda _: time.sleep(60), wait=False),
    ):
        pass
    assert stream_gone(started[0])
