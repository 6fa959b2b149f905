"""Running the data generator in a child process with a time limit.

hypothesis-jsonschema filters generated strings with Python's own `re`, which has no
time limit: a parameter `pattern` that backtracks (`^(a|a)+b$`) would hang the command.
So generation (and what renders its values) runs in a forked child that is killed when
its time is up; the parent gets the child's result, or `GenerationTimeout`.
"""

from __future__ import annotations

import multiprocessing
import pickle
import traceback
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.connection import Connection


class GenerationTimeout(Exception):
    """The child did not finish within its time."""


def run_bounded(target: Callable[..., Any], args: tuple[Any, ...], seconds: float) -> Any:
    """`target(*args)` in a child process; its exception is raised here again."""
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    )
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, target, args), daemon=True)  # type: ignore[attr-defined]
    child.start()
    send.close()
    try:
        if not receive.poll(seconds):
            raise GenerationTimeout(f"took more than {seconds:g} s")
        ok, payload = receive.recv()
    except EOFError:
        raise GenerationTimeout("the generator stopped without a result") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if not ok:
        raise payload
    return payload


def _child(send: Connection, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        send.send((True, target(*args)))
    except BaseException as err:  # sent back to the parent, raised there
        send.send((False, _portable(err)))
    finally:
        send.close()


def _portable(err: BaseException) -> BaseException:
    """`err`, or an equivalent that survives pickling (custom constructors do not)."""
    from gitops_templates.errors import GitOpsTemplatesError, InvalidInputError

    try:
        pickle.loads(pickle.dumps(err))  # noqa: S301 (our own object, in memory)
    except Exception:
        if isinstance(err, GitOpsTemplatesError):
            return InvalidInputError(err.message, hint=err.hint, problems=err.problems)
        return RuntimeError("".join(traceback.format_exception(err))[-2000:])
    return err
