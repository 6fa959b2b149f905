"""Mutating git commands, run through GitPython (imported on the first write)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gitops_templates.errors import GitStateError, NotFoundError, TagConflictError
from gitops_templates.git._core import RepoCore
from gitops_templates.git._process import env as git_env

if TYPE_CHECKING:
    from collections.abc import Sequence

SIGNATURE_HINT = (
    "check `git config gpg.format`, `user.signingKey` and that the key is usable "
    "without a prompt (an agent, or no passphrase in CI)"
)


def git_bool(value: str | None) -> bool:
    """A git config boolean as git reads it (unset: false)."""
    return (value or "").strip().lower() in {"true", "yes", "on", "1"}


_BACKGROUND: list[subprocess.Popen[bytes]] = []  # detached writers, kept to be reaped


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
    """Run a mutating git command through GitPython; its stdout without the final newline.

    An interrupt (Ctrl-C, or a SIGINT sent to this process only) kills git and waits for
    it before going on: the caller undoes what was done, and a `git commit` whose hook
    was still running must not move the branch after that undo.
    """
    import tempfile

    import git

    full_env = {"GIT_TERMINAL_PROMPT": "0", **(env or {})}
    with tempfile.TemporaryFile() as stream:
        if stdin is not None:
            stream.write(stdin.encode())
            stream.seek(0)
        running = git.Git(str(cwd)).execute(
            ["git", *args], istream=stream if stdin is not None else None, env=full_env,
            as_process=True,
        )  # fmt: skip
        child = running.proc
        assert child is not None
        try:
            out, err = child.communicate()
        except BaseException:
            child.kill()
            child.wait()
            raise
    if child.returncode != 0:
        raise WriteError(_decode(err).strip())
    return _decode(out).removesuffix("\n")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class NewTag:
    """An annotated tag to create."""

    name: str
    commit: str
    message: str


class TagWriter(RepoCore):
    """The writing half of `GitRepo`: tags in one transaction, atomic push, caches."""

    def create_tags(self, tags: Sequence[NewTag], *, sign: bool | None) -> dict[str, str]:
        """Create annotated tags in ONE ref transaction: all of them or none.

        Tag objects are written first with `git tag` in a private staging ref store
        that shares this repository's objects and includes its config (so tagger,
        `tag.gpgSign`, `gpg.format` and keys behave exactly as git's own), then every
        ref is created by a single `git update-ref --stdin` transaction. `sign=None`
        follows git config; True forces signing; False forbids it. Returns the tag
        object ids by name.
        """
        import shutil
        import tempfile

        for left in self.state_dir.glob("tag-stage-*"):  # from a run that was killed:
            shutil.rmtree(left, ignore_errors=True)  # tags are made under the lock only
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
        own = ""  # the object format is read from a repository's own config, not includes
        if (found := self._object_format()) != "sha1":
            own = f"[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectformat = {found}\n"
        (stage / "config").write_text(f"{own}[include]\n\tpath = {include}\n")
        env = {
            "GIT_DIR": str(stage),
            "GIT_OBJECT_DIRECTORY": str(self.common_dir / "objects"),
        }
        signs = sign if sign is not None else self._config_signs()
        if not signs:
            return _fast_import_tags(stage, tags, env)
        sign_flag = ["--sign"] if sign else []  # None: git config decides, as git tag does
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
                    hint=SIGNATURE_HINT if signing else None,
                ) from err
            objects[tag.name] = out.strip()
        return objects

    def _object_format(self) -> str:
        """`sha1` or `sha256`: the repository's object format."""
        out = run_write(self.root, ["rev-parse", "--show-object-format"])
        return out.strip() or "sha1"

    def _config_signs(self) -> bool:
        """True when git config makes `git tag -a` sign (tag.gpgSign, forceSignAnnotated)."""
        return any(git_bool(self.config(k)) for k in ("tag.gpgsign", "tag.forcesignannotated"))

    def push_atomic(self, remote: str, refs: Sequence[str]) -> str:
        """Push refs with `git push --atomic` (all or none on the remote)."""
        self._known_remote(remote)
        refspecs = [f"{r}:{r}" for r in refs]
        try:
            args = ["push", "--atomic", "--porcelain", "--", remote, *refspecs]
            return run_write(self.root, args)
        except WriteError as err:
            raise GitStateError(
                f"git push --atomic to {remote} failed, nothing was pushed: {err.detail}",
                hint="the tags exist locally; fix the remote and re-run `release --push`",
            ) from err

    def remote_tags(self, remote: str, names: Sequence[str]) -> dict[str, str]:
        """Tag name -> object id, for those of `names` the remote has (`git ls-remote`)."""
        self._known_remote(remote)
        try:
            out = run_write(self.root, ["ls-remote", "--tags", "--", remote,
                                        *(f"refs/tags/{n}" for n in names)])  # fmt: skip
        except WriteError as err:
            raise GitStateError(f"cannot list the tags of {remote}: {err.detail}") from err
        found = {}
        for line in out.splitlines():
            oid, _, ref = line.partition("\t")
            if ref.startswith("refs/tags/") and not ref.endswith("^{}"):
                found[ref.removeprefix("refs/tags/")] = oid
        return found

    def fetch_probe(self, remote: str, refspecs: Sequence[str]) -> None:
        """Fetch refs from `remote` (no tags followed), e.g. into a scratch namespace."""
        try:
            run_write(self.root, ["fetch", "--quiet", "--no-tags", "--", remote, *refspecs])
        except WriteError as err:
            raise GitStateError(f"cannot fetch from {remote}: {err.detail}") from err

    def _known_remote(self, remote: str) -> None:
        remotes = self.remotes()
        if remote not in remotes:
            raise NotFoundError(
                f"remote {remote!r} is not configured",
                hint=f"configured remotes: {', '.join(remotes) or 'none'}",
            )

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
            stderr=subprocess.DEVNULL, env=git_env(), start_new_session=True,
        ))  # fmt: skip


def _fast_import_tags(stage: Path, tags: Sequence[NewTag], env: dict[str, str]) -> dict[str, str]:
    """Write unsigned annotated tag objects for all tags with ONE `git fast-import`.

    Refs land in the staging store only; the tagger is git's own committer identity
    (`git var GIT_COMMITTER_IDENT`: user config, GIT_COMMITTER_* and date as `git tag`).
    """
    try:
        ident = run_write(stage, ["var", "GIT_COMMITTER_IDENT"], env=env).strip()
        stream = "".join(
            f"tag {tag.name}\nfrom {tag.commit}\ntagger {ident}\n"
            f"data {len(tag.message.encode())}\n{tag.message}\n"
            for tag in tags
        )
        run_write(stage, ["fast-import", "--quiet", "--done"], stdin=stream + "done\n", env=env)
        listing = run_write(stage, ["for-each-ref", "--format=%(refname:strip=2) %(objectname)",
                                    "refs/tags/"], env=env)  # fmt: skip
    except WriteError as err:
        raise GitStateError(f"could not write the tag objects: {err.detail}") from err
    found = dict(line.split(" ", 1) for line in listing.splitlines() if line)
    return {tag.name: found[tag.name] for tag in tags}
