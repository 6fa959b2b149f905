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

`learned_meanwhile` runs one computation in a child while this process does other work
(`fork_stream`: values sent as they are ready, read without waiting), and joins what
the child learned to this process's facts store.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, TypeVar

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


class Streamed:
    """What a forked child sends while it runs (`fork_stream`), read here without waiting.

    The child appends length-prefixed pickles to an unlinked temporary file, so it never
    blocks on a reader that is busy elsewhere; a value is read here once it is whole.
    """

    def __init__(self, pid: int, spool: IO[bytes]) -> None:
        self.pid = pid
        self._spool = spool
        self._offset = 0  # how far the spool has been read
        self._buffer = bytearray()
        self._ended = False  # the child was reaped

    def ready(self) -> list[Any]:
        """The values sent whole since the last call."""
        fd = self._spool.fileno()
        while chunk := os.pread(fd, 1 << 20, self._offset):
            self._offset += len(chunk)
            self._buffer += chunk
        found = []
        while len(self._buffer) >= 8:
            size = int.from_bytes(self._buffer[:8], "big")
            if len(self._buffer) < 8 + size:
                break  # still being written
            found += _loaded(bytes(self._buffer[8 : 8 + size]))
            del self._buffer[: 8 + size]
        return found

    def join(self) -> None:
        """Wait for the child to end."""
        if not self._ended:
            try:
                os.waitpid(self.pid, 0)
            except BaseException:
                self.stop()
                raise
            self._ended = True

    def wait(self) -> list[Any]:
        """Every value not read yet, once the child has ended."""
        self.join()
        found = self.ready()
        self._spool.close()
        return found

    def stop(self) -> None:
        """End the child now (what it sent whole stays readable until then)."""
        if not self._ended:
            _reap(self.pid)
            self._ended = True
        self._spool.close()


def fork_stream(fn: Callable[[Callable[[Any], None]], object]) -> Streamed | None:
    """Start `fn(send)` in a forked child; what it `send`s is read with `Streamed.ready`.

    The same rules as `fork_map`: `fn` computes and sends picklable values; it writes
    nothing else (no file, cache or output), since the child's side effects are lost.
    None where `fork_map` would not fork.
    """
    if not can_fork():
        return None
    import gc
    import tempfile

    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by `Streamed`
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        _streaming_child(fn, spool.fileno())
    gc.unfreeze()
    return Streamed(pid, spool)


def _streaming_child(fn: Callable[[Callable[[Any], None]], object], out: int) -> None:
    status = 1
    try:
        import pickle  # not imported by runs that never fork

        def send(value: Any) -> None:
            data = pickle.dumps([value], protocol=pickle.HIGHEST_PROTOCOL)
            frame = memoryview(len(data).to_bytes(8, "big") + data)
            while frame:
                frame = frame[os.write(out, frame) :]

        fn(send)
        status = 0
    except BaseException:  # noqa: S110 - the parent computes what the child did not
        pass
    finally:
        os._exit(status)


class Meanwhile:
    """Inside `learned_meanwhile`: take in what the child has learned so far."""

    def __init__(self, ws: Workspace, stream: Streamed | None) -> None:
        self._ws = ws
        self._stream = stream

    def absorb(self) -> None:
        """Join what the child sent so far to this process's facts store (never waits)."""
        if self._stream is not None:
            for learned in self._stream.ready():
                self._ws.facts.absorb(learned)


@contextmanager
def learned_meanwhile(
    ws: Workspace,
    compute: Callable[[Callable[[], None]], object] | None,
    *,
    wait: bool = True,
) -> Iterator[Meanwhile]:
    """Inside the block a forked child runs `compute(checkpoint)` against `ws`'s facts.

    The child writes nothing (its store is detached); what the store learned there is
    sent at each `checkpoint()` and at the end, and joins this process's store when
    the block calls `Meanwhile.absorb` and when it ends: after waiting for the child,
    or (`wait=False`) at once, the child then stopped, when this process did the rest
    itself. Nothing forks without `compute` or where `fork_stream` would not; a failed
    child is ignored (what it sent before it failed is kept).
    """
    stream = None
    if compute is not None:
        ws.facts.knows("blob")  # loaded before the fork: the child starts from what is known

        def child(send: Callable[[Any], None]) -> None:
            ws.facts.detach()
            compute(lambda: send(ws.facts.learned(clear=True)))
            send(ws.facts.learned(clear=True))

        stream = fork_stream(child)
    meanwhile = Meanwhile(ws, stream)
    if stream is None:
        yield meanwhile
        return
    try:
        yield meanwhile
    except BaseException:
        stream.stop()
        raise
    try:
        if wait:
            for learned in stream.wait():
                ws.facts.absorb(learned)
        else:
            meanwhile.absorb()
            ws.facts.save()  # the block's own work has saved; this keeps what came after
    finally:
        stream.stop()


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
