"""What the halves of `GitRepo` mixed in from `_write`, `_worktree` and `_branch` use of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path


class RepoCore:
    """The parts of `GitRepo` every mixed-in half calls (`GitRepo` provides them)."""

    root: Path
    git_dir: Path
    common_dir: Path

    def run(self, args: Sequence[str], *, input: bytes | None = None) -> bytes:
        """`git <args>`'s stdout; a failure is an error."""
        raise NotImplementedError

    def try_run(self, args: Sequence[str]) -> bytes | None:
        """`git <args>`'s stdout, or None when it fails."""
        raise NotImplementedError

    @property
    def state_dir(self) -> Path:
        """Where caches and locks live."""
        raise NotImplementedError

    def remotes(self) -> list[str]:
        """Configured remote names."""
        raise NotImplementedError

    def config(self, key: str) -> str | None:
        """A git config value, or None."""
        raise NotImplementedError
