"""Running git: the environment and the argument lists shared by reads and writes."""

from __future__ import annotations

import os
import subprocess
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

LOG_FORMAT = "%x1e%H%x00%P%x00%an%x00%ae%x00%at%x00%ct%x00%B%x00"


def log_args(
    first_parent: bool, limit: int | None, tail: Sequence[str], *, full_diff: bool = False
) -> list[str]:
    merges = ["--first-parent"] if first_parent else ["--diff-merges=off"]
    merges += ["--full-diff"] if full_diff else []
    return [
        "-c", "i18n.logOutputEncoding=UTF-8", "log", "-z", "--name-only",
        "--topo-order", "--no-renames", "--no-ext-diff", "--no-textconv",
        "--no-show-signature", *merges, f"--format={LOG_FORMAT}",
        *([f"--max-count={limit}"] if limit else []), *tail,
    ]  # fmt: skip


def git(
    cwd: Path, args: Sequence[str], *, input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", *args], cwd=cwd, input=input, capture_output=True, env=env(), check=False
    )


def env() -> dict[str, str]:
    """The caller's environment, for git that never prompts or takes optional locks.

    GIT_FLUSH=0 keeps git's output fully buffered: on a pipe git otherwise flushes
    after every record, which made reading a 100k-commit `git log` 20% slower.
    """
    return dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_FLUSH="0")
