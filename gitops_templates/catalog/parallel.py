"""CPU-bound work over many items on a second core, with the serial results.

Parsing hundreds of old template.yaml blobs, validating hundreds of templates, rendering
hundreds of READMEs: each item is independent pure computation, and Python runs it on
one core. `fork_map` forks one child (Linux only: fork without exec is unsafe on macOS)
that computes every other item while this process computes the rest, and returns the
results in item order, exactly as `[fn(x) for x in items]` would, exceptions included:
the first item that raises, in item order, raises here. The child's results come back
pickled through a pipe; an item the child did not finish (it raised, or the child died)
is computed again here. Below `min_items`, on one core, or without fork, nothing forks.

`fn` must compute and nothing else: no writes (a file, the cache, stdout) and no state
the caller reads afterwards, since the child's side effects are lost. Ctrl-C reaches
both processes; the child exits at once and is reaped here.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from gitops_templates.catalog.workspace import Workspace

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether `fork_map` may fork here (Linux, two cores or more)."""
    return sys.platform == "linux" and hasattr(os, "fork") and cores() >= 2


def fork_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    min_items: int,
    progress: Callable[[int], None] | None = None,
) -> list[R]:
    """`[fn(x) for x in items]`, half of it in a forked child when `items` are many.

    `progress(done)` is called here (never in the child) before each item this process
    computes, with about how many items both have done.
    """
    tick = progress or _no_progress
    if len(items) < max(min_items, 2) or not can_fork():
        out = []
        for done, item in enumerate(items):
            tick(done)
            out.append(fn(item))
        return out
    import gc

    read_end, write_end = os.pipe()
    gc.freeze()  # the child's collector leaves what exists now alone (no finalizers run)
    pid = os.fork()
    if pid == 0:  # the child: odd items, then exit without any cleanup of the parent's
        os.close(read_end)
        _child(fn, items[1::2], write_end)
    gc.unfreeze()
    os.close(write_end)
    try:
        mine, failure = _run(fn, items[0::2], lambda done: tick(min(2 * done, len(items))))
        with os.fdopen(read_end, "rb") as pipe:
            payload = pipe.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:
        _reap(pid)
        raise
    theirs = _loaded(payload) if status == 0 else []
    return _merged(fn, items, mine, failure, theirs)


class Forked(Generic[R]):
    """`fn()` computed by a forked child while this process goes on (`fork_call`)."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid = pid
        self._pipe = pipe

    def result(self) -> R | None:
        """The child's value (waiting for it), or None when it raised or died."""
        try:
            with os.fdopen(self._pipe, "rb") as pipe:
                payload = pipe.read()
            _, status = os.waitpid(self._pid, 0)
        except BaseException:
            _reap(self._pid)
            raise
        if status != 0:
            return None
        found = _loaded(payload)
        return found[0] if len(found) == 1 else None

    def cancel(self) -> None:
        """Stop the child and forget its value."""
        os.close(self._pipe)
        _reap(self._pid)


def fork_call(fn: Callable[[], R]) -> Forked[R] | None:
    """Start `fn()` in a forked child (None where `fork_map` would not fork).

    The same rules as `fork_map`: `fn` computes and returns a picklable value; it
    writes nothing (no file, cache or output), since the child's side effects are lost.
    """
    if not can_fork():
        return None
    import gc

    read_end, write_end = os.pipe()
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _child(lambda _: fn(), [None], write_end)
    gc.unfreeze()
    os.close(write_end)
    return Forked(pid, read_end)


@contextmanager
def learned_meanwhile(ws: Workspace, compute: Callable[[], object] | None) -> Iterator[None]:
    """Inside the block a forked child runs `compute()` against `ws`'s facts store.

    The child writes nothing (its store is detached); what the store learned there
    joins this process's store when the block ends, where lookups find it. Nothing
    forks without `compute` or where `fork_call` would not; a failed child is ignored.
    """
    pending = None
    if compute is not None:
        ws.facts.knows("blob")  # loaded before the fork: the child starts from what is known

        def child() -> dict[str, dict[str, Any]]:
            ws.facts.detach()
            compute()
            return ws.facts.learned()

        pending = fork_call(child)
    if pending is None:
        yield
        return
    try:
        yield
    except BaseException:
        pending.cancel()
        raise
    learned = pending.result()
    if learned:
        ws.facts.absorb(learned)


def _child(fn: Callable[[Any], Any], items: Sequence[Any], out: int) -> None:
    status = 1
    try:
        done, _ = _run(fn, items, _no_progress)
        import pickle  # not imported by runs that never fork

        data = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(out, "wb") as pipe:
            pipe.write(data)
        status = 0
    except BaseException:  # noqa: S110 - the parent computes what the child did not
        pass
    finally:
        os._exit(status)


def _run(
    fn: Callable[[T], R], items: Sequence[T], tick: Callable[[int], None]
) -> tuple[list[R], Exception | None]:
    """Results up to the first item that raises, and that exception."""
    done: list[R] = []
    for item in items:
        tick(len(done))
        try:
            done.append(fn(item))
        except Exception as err:  # re-raised in item order by `_merged`
            return done, err
    return done, None


def _loaded(payload: bytes) -> list[Any]:
    try:
        import pickle

        value = pickle.loads(payload)  # noqa: S301 - written by our own child just now
    except Exception:  # a child killed mid-write: its items are computed here
        return []
    return value if isinstance(value, list) else []


def _merged(
    fn: Callable[[T], R],
    items: Sequence[T],
    mine: list[R],
    failure: Exception | None,
    theirs: list[Any],
) -> list[R]:
    out: list[R] = []
    for index, item in enumerate(items):
        half, position = (mine, index // 2) if index % 2 == 0 else (theirs, index // 2)
        if position < len(half):
            out.append(half[position])
        elif index % 2 == 0 and failure is not None:
            raise failure
        else:
            out.append(fn(item))  # not computed (or lost) by the child: here, in order
    return out


def _no_progress(done: int) -> None:
    pass


def _reap(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
