"""A configured command as the metrics source: JSON on its standard input, JSON back.

The command (`metrics.command`, a program and its arguments: no shell) runs with a time
limit and its answer capped in size; a failure, a timeout or an answer that is not JSON
is `SourceError` (exit 4) with the command's own error text.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

from gitops_templates.metrics.prometheus import SourceError

MAX_ANSWER = 16 * 1024 * 1024


def run(argv: list[str], text: str, timeout: float) -> subprocess.CompletedProcess[str]:
    """`argv` with `text` on stdin, in its own process group, decoded leniently.

    At `timeout` the whole group is killed: a child it started cannot outlive it.
    """
    import os
    import signal

    with subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
                          start_new_session=True) as child:  # fmt: skip
        try:
            out, err = child.communicate(text, timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            raise
    return subprocess.CompletedProcess(argv, child.returncode, out, err)


def ask(argv: list[str], question: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run `argv` with `question` as JSON on stdin; its JSON answer (a mapping)."""
    try:
        done = run(argv, json.dumps(question), timeout)
    except subprocess.TimeoutExpired:
        raise SourceError(f"the metrics command {argv[0]} took more than {timeout:g} s") from None
    except OSError as err:
        raise SourceError(f"the metrics command {argv[0]} cannot run: {err.strerror}") from None
    if done.returncode != 0:
        raise SourceError(f"the metrics command {argv[0]} failed (exit {done.returncode}): "
                          f"{done.stderr.strip()[-500:]}")  # fmt: skip
    if len(done.stdout) > MAX_ANSWER:
        raise SourceError(f"the metrics command {argv[0]} answered more than {MAX_ANSWER} bytes")
    try:
        answer = json.loads(done.stdout)
    except (ValueError, RecursionError):
        raise SourceError(f"the metrics command {argv[0]} did not answer JSON") from None
    if not isinstance(answer, dict):
        raise SourceError(f"the metrics command {argv[0]} did not answer a JSON object")
    return answer
