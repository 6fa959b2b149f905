"""Mutating git commands, run through GitPython (imported on the first write)."""

from __future__ import annotations

import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


class WriteError(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def run_write(
    cwd: Path,
    args: Sequence[str],
    *,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> str:
    """Run a mutating git command through GitPython (imported here, on first write)."""
    import git

    full_env = {"GIT_TERMINAL_PROMPT": "0", **(env or {})}
    with tempfile.TemporaryFile() as stream:
        if stdin is not None:
            stream.write(stdin.encode())
            stream.seek(0)
        try:
            out = git.Git(str(cwd)).execute(
                ["git", *args],
                istream=stream if stdin is not None else None,
                env=full_env,
            )
        except git.GitCommandError as err:
            raise WriteError(
                _decode(err.stderr.encode() if isinstance(err.stderr, str) else err.stderr)
                .strip()
                .removeprefix("stderr: ")
                .strip("'")
                .strip()
            ) from err
    return str(out)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")
