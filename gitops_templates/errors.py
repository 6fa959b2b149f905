"""One error hierarchy; each class carries the exit code of what the user must do.

Exit codes (DESIGN §7): 0 success, 1 failure, 2 usage, 3 invalid input, 4 Git state,
5 not found, 6 compatibility policy violated, 7 unhealthy.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar


class ExitCode(IntEnum):
    """Process exit codes, grouped by the remedy."""

    OK = 0
    FAILURE = 1
    USAGE = 2
    INVALID_INPUT = 3
    GIT_STATE = 4
    NOT_FOUND = 5
    COMPATIBILITY = 6
    UNHEALTHY = 7


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about user input: where it is, what is wrong, how to fix it."""

    message: str
    file: str | None = None
    pointer: str | None = None  # JSON path such as `parameters.properties.replicas`
    line: int | None = None
    rule: str | None = None
    hint: str | None = None

    def location(self) -> str:
        """`file:line: pointer` with the parts that are known."""
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.pointer:
            parts.append(self.pointer)
        return ": ".join(parts)


class GitOpsTemplatesError(Exception):
    """Base of every error the tool reports without a traceback."""

    exit_code: ClassVar[ExitCode] = ExitCode.FAILURE

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        problems: tuple[Problem, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.problems = problems


class UsageError(GitOpsTemplatesError):
    """Arguments that do not fit the command (click reports its own the same way)."""

    exit_code = ExitCode.USAGE


class InvalidInputError(GitOpsTemplatesError):
    """Metadata, schema, values, config or a commit message is invalid."""

    exit_code = ExitCode.INVALID_INPUT


class ConfigError(InvalidInputError):
    """The catalog configuration is missing or invalid."""


class SchemaValidationError(InvalidInputError):
    """One or more documents failed JSON Schema validation."""


class IntegrityError(InvalidInputError):
    """A version tag does not match the content it claims (moved or re-created)."""


class GitStateError(GitOpsTemplatesError):
    """The repository is not in a state where the operation is safe or possible."""

    exit_code = ExitCode.GIT_STATE


class NotAGitRepositoryError(GitStateError):
    """The path is not inside a Git repository."""


class ShallowRepositoryError(GitStateError):
    """History is truncated; versions cannot be computed from it."""


class EmptyRepositoryError(GitStateError):
    """The repository has no commits yet."""


class TagConflictError(GitStateError):
    """A tag to be created already exists on other content."""


class StalePlanError(GitStateError):
    """HEAD or the tags moved since the plan was made."""


class LockedError(GitStateError):
    """Another mutating command holds the repository lock."""


class NotFoundError(GitOpsTemplatesError):
    """A template, component or version does not exist."""

    exit_code = ExitCode.NOT_FOUND


class CompatibilityError(GitOpsTemplatesError):
    """The compatibility policy was violated."""

    exit_code = ExitCode.COMPATIBILITY
