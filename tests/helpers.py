"""RepoBuilder: real Git repositories in temp dirs with a fake clock."""

from __future__ import annotations

import contextlib
import copy
import os
import shutil
import subprocess
import textwrap
import threading
from collections.abc import Callable, Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

EPOCH = 1_767_225_600  # 2026-01-01T00:00:00Z

TEMPLATE_YAML = """\
apiVersion: gitops-templates/v1
id: {id}
name: {name}
description: {id} test template.
owners: [platform-team]
category: test
parameters:
  type: object
  additionalProperties: false
  required: [name]
  properties:
    name: {{type: string, description: Service name.}}
    replicas: {{type: integer, minimum: 1, default: 1, description: Pod count.}}
files:
  - source: body.yaml.j2
    target: body.yaml
examples:
  - name: default
    values: {{name: web}}
"""


@contextlib.contextmanager
def serving(handler: Callable[..., BaseHTTPRequestHandler]) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def git(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    input: str | None = None,
) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
        env={**os.environ, **(env or {})}, input=input,
    )  # fmt: skip
    if proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


class RepoBuilder:
    """A throwaway repository; each commit or tag advances the clock by one hour."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = EPOCH

    @classmethod
    def init(cls, path: Path, *, bare: bool = False) -> RepoBuilder:
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", "main", *(["--bare"] if bare else []))
        builder = cls(path)
        git(path, "config", "user.name", "Test Author")
        git(path, "config", "user.email", "author@example.com")
        git(path, "config", "commit.gpgsign", "false")
        git(path, "config", "tag.gpgsign", "false")
        return builder

    def _env(self) -> dict[str, str]:
        self.clock += 3600
        stamp = f"{self.clock} +0000"
        return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}

    def write(self, files: Mapping[str, str]) -> RepoBuilder:
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(content))
        return self

    def remove(self, *names: str) -> RepoBuilder:
        git(self.path, "rm", "-q", "-r", "--", *names)
        return self

    def template(
        self, tid: str, body: str = "name: {{ name }}\n", *, more: str = ""
    ) -> RepoBuilder:
        """templates/<tid>/ with `TEMPLATE_YAML` (plus `more` of it, e.g. `health:`)."""
        meta = TEMPLATE_YAML.format(id=tid, name=tid.title()) + more
        return self.write({
            f"templates/{tid}/template.yaml": meta, f"templates/{tid}/body.yaml.j2": body,
        })  # fmt: skip

    def commit(
        self,
        message: str,
        *,
        trailers: Mapping[str, str] | None = None,
        allow_empty: bool = False,
    ) -> str:
        if trailers:
            message += "\n\n" + "\n".join(f"{k}: {v}" for k, v in trailers.items())
        git(self.path, "add", "-A")
        extra = ["--allow-empty"] if allow_empty else []
        git(self.path, "commit", "-q", "--no-verify", *extra, "-F", "-",
            env=self._env(), input=message)  # fmt: skip
        return self.head()

    def tag(self, name: str, *, message: str | None = None, rev: str = "HEAD") -> RepoBuilder:
        args = ["-a", "-m", message] if message is not None else []
        git(self.path, "tag", *args, "--", name, rev, env=self._env())
        return self

    def head(self) -> str:
        return git(self.path, "rev-parse", "HEAD").strip()

    def run(self, *args: str) -> str:
        return git(self.path, *args)

    def refs(self) -> str:
        return git(self.path, "for-each-ref", "--format=%(refname) %(objectname)")

    def tag_names(self) -> set[str]:
        return set(git(self.path, "tag", "-l").split())


# A reference-transaction hook that refuses every new tag (a failure after the commit).
TAG_REFUSER = """\
[ "$1" = prepared ] || exit 0
if grep -q " refs/tags/"; then echo "policy: no new tags" >&2; exit 1; fi
exit 0
"""


def install_hook(repo: RepoBuilder, name: str, script: str) -> None:
    """An executable `#!/bin/sh` hook in a work tree's or a bare repository's hooks/."""
    import stat

    bare = (repo.path / "HEAD").is_file()
    path = repo.path / ("hooks" if bare else ".git/hooks") / name
    path.parent.mkdir(exist_ok=True)
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)


def forget_plans(repo: RepoBuilder) -> None:
    """Remove the remembered whole plans, so a next `plan` works from the layers below."""
    shutil.rmtree(repo.path / ".git" / "gitops-templates" / "results", ignore_errors=True)


def repo_state(repo: RepoBuilder) -> tuple[str, ...]:
    """Refs, index, work tree (every file's bytes) and HEAD: equal means nothing changed."""
    files = sorted(
        (p.relative_to(repo.path).as_posix(), p.read_bytes().hex())
        for p in repo.path.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo.path).parts
    )
    return (
        repo.refs(),
        repo.run("status", "--porcelain=v2", "--untracked-files=all"),
        repo.run("diff"),
        repo.run("diff", "--cached"),
        repo.run("symbolic-ref", "-q", "HEAD") if (repo.path / ".git").exists() else "",
        repr(files),
    )


def paths_in(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON-like document, the document's own `()` first."""
    found = [path]
    if isinstance(node, dict | list):
        for key, value in node.items() if isinstance(node, dict) else enumerate(node):
            found += paths_in(value, (*path, key))
    return found


def replaced_at(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of `doc` with `value` at `path` (`()`: `value` itself)."""
    if not path:
        return value
    out = copy.deepcopy(doc)
    node = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def count_forks(monkeypatch: Any) -> list[int]:
    """One entry per `os.fork` from now on (the second core used by `fork_map`)."""
    import os

    forks: list[int] = []
    real = os.fork

    def counted() -> int:
        forks.append(1)
        return real()

    monkeypatch.setattr(os, "fork", counted)
    return forks
