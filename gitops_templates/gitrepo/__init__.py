"""All Git reads and writes for one repository. The only module that imports GitPython.

Reads are batched plumbing calls (one `git log -z` pass, one `for-each-ref`, one
`cat-file --batch`) run directly, so hooks and `plan` never pay GitPython's import.
Writes (tag objects, the ref transaction, push, signature checks) go through GitPython,
imported on first use. Everything returned is our own frozen values (`models`).
User-supplied names reach git only after `--`, or inside `--stdin` transactions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.errors import (
    EmptyRepositoryError,
    GitStateError,
    NotAGitRepositoryError,
    NotFoundError,
    TagConflictError,
)
from gitops_templates.gitrepo._parse import HEX, LogParser, LogResult, parse_tags, text
from gitops_templates.gitrepo._write import WriteError, run_write
from gitops_templates.models import TagRecord, TreeEntry

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

_LOG_FORMAT = "%x1e%H%x00%P%x00%an%x00%ae%x00%at%x00%ct%x00%B%x00"
_TAG_FORMAT = (
    "%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)"
    "%00%(taggerdate:unix)%00%(contents:signature)%00%(contents)%00%1e"
)
_BACKGROUND: list[subprocess.Popen[bytes]] = []  # detached writers, kept to be reaped
_TAG_FORMAT_LIGHT = (
    "%(refname)%00%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)"
    "%00%(taggerdate:unix)%00%1e"
)
_SIGNATURE_HINT = (
    "check `git config gpg.format`, `user.signingKey` and that the key is usable "
    "without a prompt (an agent, or no passphrase in CI)"
)


@dataclass(frozen=True, slots=True)
class NewTag:
    """An annotated tag to create."""

    name: str
    commit: str
    message: str


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """Result of `git verify-tag`."""

    ok: bool
    output: str


class GitRepo:
    """One repository (work tree or bare), located with `git rev-parse`."""

    def __init__(self, root: Path, git_dir: Path, common_dir: Path, *, bare: bool) -> None:
        self.root = root
        self.git_dir = git_dir
        self.common_dir = common_dir
        self.bare = bare

    @classmethod
    def discover(cls, path: Path) -> GitRepo:
        """Find the repository containing `path`."""
        if not path.exists():
            raise NotAGitRepositoryError(f"{path} does not exist")
        args = [
            "rev-parse",
            "--is-bare-repository",
            "--absolute-git-dir",
            "--git-common-dir",
        ]
        proc = _git(path, args)
        if proc.returncode != 0:
            raise NotAGitRepositoryError(
                f"{path} is not inside a Git repository",
                hint="run the command inside a catalog repository or pass --repo PATH",
            )
        bare_text, git_dir_text, common_text = text(proc.stdout).splitlines()[:3]
        git_dir = Path(git_dir_text)
        common = Path(common_text)
        common = common if common.is_absolute() else (path / common).resolve()
        if bare_text == "true":
            return cls(git_dir, git_dir, common, bare=True)
        top = _git(path, ["rev-parse", "--show-toplevel"])
        root = Path(text(top.stdout).strip()) if top.returncode == 0 else git_dir.parent
        return cls(root, git_dir, common, bare=False)

    # -- plumbing -----------------------------------------------------------------

    def run(self, args: Sequence[str], *, input: bytes | None = None) -> bytes:
        """Run a git command; raise `GitStateError` with git's message on failure."""
        proc = _git(self.root, args, input=input)
        if proc.returncode != 0:
            raise GitStateError(
                f"git {args[0]} failed: {text(proc.stderr).strip() or proc.returncode}"
            )
        return proc.stdout

    def try_run(self, args: Sequence[str]) -> bytes | None:
        """Run a git command; None instead of an error when it fails."""
        proc = _git(self.root, args)
        return proc.stdout if proc.returncode == 0 else None

    # -- reads --------------------------------------------------------------------

    def head(self) -> str:
        """The commit HEAD points at (works detached)."""
        out = self.try_run(["rev-parse", "--verify", "-q", "HEAD^{commit}"])
        if out is None:
            raise EmptyRepositoryError(
                f"{self.root} has no commits yet",
                hint="commit the catalog first (`git add -A && git commit`)",
            )
        return text(out).strip()

    def is_shallow(self) -> bool:
        """True for a shallow clone (history truncated)."""
        out = self.run(["rev-parse", "--is-shallow-repository"])
        return text(out).strip() == "true"

    def resolve(self, rev: str) -> str:
        """The commit a revision names; `NotFoundError` when it does not exist."""
        if rev.startswith("-"):
            raise NotFoundError(f"revision {rev!r} not found")
        out = self.try_run(["rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}"])
        if out is None:
            raise NotFoundError(f"revision {rev!r} not found")
        return text(out).strip()

    def commit_times(self, shas: Sequence[str]) -> dict[str, int]:
        """Committer times of commits, in one call."""
        wanted = [s for s in dict.fromkeys(shas) if HEX.match(s.encode())]
        if not wanted:
            return {}
        out = self.run(["show", "-s", "--no-walk", "--format=%H %ct", *wanted, "--"])
        pairs = (line.split() for line in text(out).splitlines() if line.strip())
        return {sha: int(when) for sha, when in pairs}

    def has_commit_graph(self) -> bool:
        """True when a commit-graph file (or chain) speeds up history walks."""
        info = self.common_dir / "objects" / "info"
        return (info / "commit-graph").exists() or (info / "commit-graphs").is_dir()

    def write_commit_graph_in_background(self) -> None:
        """Start `git commit-graph write --reachable` detached (as `git maintenance` would).

        A commit-graph makes range walks and ancestry checks ~10x faster on large
        histories; it is a cache git itself maintains. Skipped when the repository
        turned commit-graphs off (`core.commitGraph=false`).
        """
        if self.config("core.commitgraph") == "false":
            return
        _BACKGROUND[:] = [p for p in _BACKGROUND if p.poll() is None]  # reap finished ones
        _BACKGROUND.append(subprocess.Popen(
            ["git", "commit-graph", "write", "--reachable", "--no-progress"],
            cwd=self.root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=_env(), start_new_session=True,
        ))  # fmt: skip

    def existing(self, shas: Iterable[str]) -> set[str]:
        """The subset of object ids present in the object database."""
        wanted = [s for s in shas if HEX.match(s.encode())]
        if not wanted:
            return set()
        out = self.run(["cat-file", "--batch-check"], input="\n".join(wanted).encode() + b"\n")
        return {
            line.split(" ", 1)[0]
            for line in text(out).splitlines()
            if not line.endswith(" missing")
        }

    def log(
        self,
        include: Sequence[str],
        exclude: Sequence[str] = (),
        *,
        first_parent: bool = False,
        limit: int | None = None,
    ) -> LogResult:
        """One `git log` pass: commits reachable from `include` but not `exclude`.

        Every commit is walked and merges list no files (their branches' commits carry
        the changes); with `first_parent` only the first-parent chain is walked and a
        merge lists the files it changed against its first parent (`-m --first-parent`:
        what the merge brought to the branch).
        """
        merges = ["--first-parent"] if first_parent else ["--diff-merges=off"]
        args = [
            "-c", "i18n.logOutputEncoding=UTF-8", "log", "-z", "--name-only",
            "--topo-order", "--no-renames", "--no-ext-diff", "--no-textconv",
            "--no-show-signature", *merges, f"--format={_LOG_FORMAT}",
            *([f"--max-count={limit}"] if limit else []),
            *include, *(["--not", *exclude] if exclude else []), "--",
        ]  # fmt: skip
        return self._stream_log(args)

    def _stream_log(self, args: list[str]) -> LogResult:
        """Run `git log` and parse its output while it is being written."""
        parser = LogParser()
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(
                ["git", *args], cwd=self.root, stdout=subprocess.PIPE, stderr=errors, env=_env()
            )
            assert proc.stdout is not None
            with proc.stdout:
                fd = proc.stdout.fileno()
                while chunk := os.read(fd, 1 << 20):
                    parser.feed(chunk)
            if proc.wait() != 0:
                errors.seek(0)
                detail = text(errors.read()).strip()
                raise GitStateError(f"git log failed: {detail or proc.returncode}")
        return parser.finish()

    def tags(self, *, details: bool = True) -> list[TagRecord]:
        """Every tag, in one `for-each-ref` call; `details` reads messages and signatures."""
        fmt = _TAG_FORMAT if details else _TAG_FORMAT_LIGHT
        out = self.run(["for-each-ref", f"--format={fmt}", "refs/tags/"])
        return parse_tags(out)

    def read_paths(self, specs: Sequence[str]) -> list[bytes | None]:
        """Blobs named `<rev>:<path>`, in order (None for a missing one), in one call."""
        if not specs:
            return []
        out = self.run(["cat-file", "--batch"], input="\n".join(specs).encode() + b"\n")
        found: list[bytes | None] = []
        pos = 0
        for _ in specs:
            end = out.index(b"\n", pos)
            header = text(out[pos:end]).rsplit(" ", 2)
            pos = end + 1
            if len(header) < 3 or header[1] != "blob":
                found.append(None)
                if header[-1] == "missing" or len(header) < 3:
                    continue
                pos += int(header[2]) + 1
                continue
            size = int(header[2])
            found.append(out[pos : pos + size])
            pos += size + 1
        return found

    def ls_tree(self, rev: str, path: str) -> list[TreeEntry]:
        """Blobs, links and submodules below `path` at `rev` (paths relative to it)."""
        prefix = f"{path}/" if path else ""
        out = self.run(["ls-tree", "-r", "-z", "--full-tree", rev, "--", prefix or "."])
        entries = []
        for item in out.split(b"\0"):
            if not item:
                continue
            meta, _, name = item.partition(b"\t")
            mode, kind, sha = text(meta).split(" ")
            rel = text(name)[len(prefix) :]
            entries.append(TreeEntry(mode, kind, sha, rel))
        return entries

    def subtrees(self, rev: str, paths: Sequence[str]) -> dict[str, str]:
        """Tree ids of the directories `paths` at `rev` (missing ones left out)."""
        found: dict[str, str] = {}
        named = [p for p in paths if p]
        if named:
            out = self.run(["ls-tree", "-z", "--full-tree", rev, "--", *named])
            for item in out.split(b"\0"):
                meta, _, name = item.partition(b"\t")
                parts = meta.split(b" ")
                if len(parts) == 3 and parts[1] == b"tree":
                    found[text(name)] = text(parts[2])
        if "" in paths:
            found[""] = text(self.run(["rev-parse", f"{rev}^{{tree}}"])).strip()
        return found

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        """Contents of many blobs in one `cat-file --batch` call."""
        wanted = list(dict.fromkeys(shas))
        if not wanted:
            return {}
        out = self.run(["cat-file", "--batch"], input="\n".join(wanted).encode() + b"\n")
        blobs: dict[str, bytes] = {}
        pos = 0
        while pos < len(out):
            end = out.index(b"\n", pos)
            header = text(out[pos:end]).split(" ")
            pos = end + 1
            if len(header) < 3:  # `<sha> missing`
                continue
            size = int(header[2])
            blobs[header[0]] = out[pos : pos + size]
            pos += size + 1
        return blobs

    def read_file(self, rev: str, path: str) -> bytes | None:
        """One file at a revision; None when it does not exist there."""
        return self.try_run(["cat-file", "blob", f"{rev}:{path}"])

    def config(self, key: str) -> str | None:
        """A git config value, or None."""
        out = self.try_run(["config", "--get", "--end-of-options", key])
        return text(out).strip() if out is not None else None

    def remotes(self) -> list[str]:
        """Configured remote names."""
        return text(self.run(["remote"])).split()

    # -- writes (GitPython) -------------------------------------------------------

    def create_tags(self, tags: Sequence[NewTag], *, sign: bool | None) -> dict[str, str]:
        """Create annotated tags in ONE ref transaction: all of them or none.

        Tag objects are written first with `git tag` in a private staging ref store
        that shares this repository's objects and includes its config (so tagger,
        `tag.gpgSign`, `gpg.format` and keys behave exactly as git's own), then every
        ref is created by a single `git update-ref --stdin` transaction. `sign=None`
        follows git config; True forces signing; False forbids it. Returns the tag
        object ids by name.
        """
        stage = Path(tempfile.mkdtemp(prefix="tag-stage-", dir=self.state_dir))
        try:
            objects = self._stage_tag_objects(stage, tags, sign)
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        lines = ["start"]
        lines += [f"create refs/tags/{t.name} {objects[t.name]}" for t in tags]
        lines += ["prepare", "commit"]
        try:
            run_write(self.root, ["update-ref", "--stdin"], stdin="\n".join(lines) + "\n")
        except WriteError as err:
            raise TagConflictError(
                f"the tag transaction was refused, no tag was created: {err.detail}",
                hint="another process may have created one of these tags; re-run `plan`",
            ) from err
        return objects

    def _stage_tag_objects(
        self, stage: Path, tags: Sequence[NewTag], sign: bool | None
    ) -> dict[str, str]:
        (stage / "refs").mkdir()
        (stage / "objects").mkdir()
        (stage / "HEAD").write_text("ref: refs/heads/main\n")
        include = (self.common_dir / "config").as_posix()
        (stage / "config").write_text(f"[include]\n\tpath = {include}\n")
        env = {
            "GIT_DIR": str(stage),
            "GIT_OBJECT_DIRECTORY": str(self.common_dir / "objects"),
        }
        sign_flag = {None: [], True: ["--sign"], False: ["--no-sign"]}[sign]
        objects = {}
        for tag in tags:
            args = ["tag", "-a", *sign_flag, "--cleanup=verbatim", "-F", "-", "--"]
            try:
                run_write(stage, [*args, tag.name, tag.commit], stdin=tag.message, env=env)
                out = run_write(stage, ["rev-parse", "--verify", f"refs/tags/{tag.name}"], env=env)
            except WriteError as err:
                signing = any(w in err.detail.lower() for w in ("sign", "gpg", "ssh"))
                raise GitStateError(
                    f"could not create tag {tag.name}: {err.detail}",
                    hint=_SIGNATURE_HINT if signing else None,
                ) from err
            objects[tag.name] = out.strip()
        return objects

    def push_atomic(self, remote: str, refs: Sequence[str]) -> str:
        """Push refs with `git push --atomic` (all or none on the remote)."""
        remotes = self.remotes()
        if remote not in remotes:
            raise NotFoundError(
                f"remote {remote!r} is not configured",
                hint=f"configured remotes: {', '.join(remotes) or 'none'}",
            )
        refspecs = [f"{r}:{r}" for r in refs]
        try:
            args = ["push", "--atomic", "--porcelain", "--", remote, *refspecs]
            return run_write(self.root, args)
        except WriteError as err:
            raise GitStateError(
                f"git push --atomic to {remote} failed, nothing was pushed: {err.detail}",
                hint="the tags exist locally; fix the remote and re-run `release --push`",
            ) from err

    def verify_tag(self, name: str) -> SignatureCheck:
        """Check a tag's signature with `git verify-tag`."""
        proc = _git(self.root, ["verify-tag", "--", name])
        return SignatureCheck(proc.returncode == 0, text(proc.stderr).strip())

    @property
    def state_dir(self) -> Path:
        """`.git/gitops-templates/`: caches and locks that belong to this clone."""
        path = self.common_dir / "gitops-templates"
        path.mkdir(parents=True, exist_ok=True)
        return path


def _git(
    cwd: Path, args: Sequence[str], *, input: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", *args], cwd=cwd, input=input, capture_output=True, env=_env(), check=False
    )


def _env() -> dict[str, str]:
    """The caller's environment, for git that never prompts or takes optional locks.

    GIT_FLUSH=0 keeps git's output fully buffered: on a pipe git otherwise flushes
    after every record, which made reading a 100k-commit `git log` 20% slower.
    """
    return dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", GIT_FLUSH="0")
