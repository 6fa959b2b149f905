"""GitHub Actions workflow commands and environment files, escaped.

Annotations (`::error file=...,line=...::message`) escape `%`, CR and LF in the
message and also `:` and `,` in properties, as `@actions/core` does; at most 10 per
level are printed (GitHub drops the rest silently), the count of the others is
said once. Untrusted text (commit subjects, git's stderr) is printed inside
`::stop-commands::<random token>` so it cannot run workflow commands. Outputs and
the step summary go to the files GitHub names, outputs as heredocs with a random
delimiter.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

MAX_PER_LEVEL = 10


def escape_data(text: str) -> str:
    """A workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


class Annotations:
    """Prints annotations, capped per level."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(
        self,
        level: str,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        title: str | None = None,
    ) -> None:
        """`level` is error, warning or notice."""
        self.counts[level] += 1
        if self.counts[level] > MAX_PER_LEVEL:
            return
        props = [f"file={escape_property(file)}"] if file else []
        props += [f"line={line}"] if file and line else []
        props += [f"title={escape_property(title)}"] if title else []
        joined = " " + ",".join(props) if props else ""
        print(f"::{level}{joined}::{escape_data(message)}", flush=True)

    def close(self) -> None:
        """Say how many annotations were left out (see the job summary)."""
        dropped = {k: n - MAX_PER_LEVEL for k, n in self.counts.items() if n > MAX_PER_LEVEL}
        if dropped:
            extra = ", ".join(f"{n} more {k}(s)" for k, n in sorted(dropped.items()))
            print(f"::notice::{escape_data(extra + ' not annotated: see the job summary')}")


@contextmanager
def untrusted_output() -> Iterator[None]:
    """Print untrusted text with workflow commands disabled."""
    token = secrets.token_hex(16)
    print(f"::stop-commands::{token}", flush=True)
    try:
        yield
    finally:
        sys.stdout.flush()
        print(f"::{token}::", flush=True)


def set_output(name: str, value: str) -> None:
    """Append a step output to `$GITHUB_OUTPUT` (a heredoc with a random delimiter)."""
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    while delimiter in value:
        delimiter = f"ghadelimiter_{secrets.token_hex(16)}"
    with Path(path).open("a", encoding="utf-8") as handle:
        handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def add_summary(markdown: str) -> None:
    """Append Markdown to the step summary (`$GITHUB_STEP_SUMMARY`)."""
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with Path(path).open("a", encoding="utf-8") as handle:
            handle.write(markdown.rstrip("\n") + "\n")
