"""Commit history with a parse cache under `.git/gitops-templates/`.

A cold run reads history with one `git log` pass. The records (and the parsed
Conventional Commits messages) are kept in `commits-v1.json`, keyed by commit id:
commits never change, so a later run asks git only for commits not reachable from the
cached tips and parses only those. A cache that is corrupt, from another format or
parser version, or written under other walk options is ignored and rebuilt, never
trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gitops_templates.core.conventional import parse_message
from gitops_templates.core.models import CommitMessage, CommitRecord, Footer, Notice
from gitops_templates.errors import GitStateError
from gitops_templates.git.cachefile import read_json, write_json

if TYPE_CHECKING:
    from pathlib import Path

    from gitops_templates.git.repo import GitRepo

CACHE_FORMAT = 1
HISTORY_FILE = "commits-v1.json"
PARSER_VERSION = 1
MAX_TIPS = 32
SHALLOW_HINT = (
    "fetch the full history and tags: `git fetch --unshallow --tags` "
    "(in GitHub Actions: actions/checkout with `fetch-depth: 0`)"
)


@dataclass
class History:
    """Commits known for this clone (topological order, children first)."""

    head: str
    commits: list[CommitRecord]
    notices: list[Notice]
    cache_path: Path
    cache_key: str
    tips: list[str]
    parsed: dict[str, CommitMessage] = field(default_factory=dict)
    new_commits: int = 0
    from_cache: int = 0
    cached_parses: int = 0
    cached_tips: tuple[str, ...] = ()

    @property
    def dirty(self) -> bool:
        """True when the cache on disk lacks something this run read or parsed."""
        return (
            bool(self.new_commits)
            or len(self.parsed) != self.cached_parses
            or tuple(self.tips) != self.cached_tips
        )

    def parse(self, commit: CommitRecord) -> CommitMessage:
        """Parse a commit message once; reuse cached parses."""
        return parse_once(self.parsed, commit)


def parse_once(memo: dict[str, CommitMessage], commit: CommitRecord) -> CommitMessage:
    """A commit's parsed message, from `memo` or parsed now and kept there."""
    found = memo.get(commit.sha)
    if found is None:
        found = memo[commit.sha] = parse_message(commit.message)
    return found


def invalid_utf8_notice(sha: str) -> Notice:
    """The warning for a commit message that is not valid UTF-8."""
    return Notice(
        "invalid-utf8",
        f"commit {sha[:12]} has a message that is not valid UTF-8; "
        "read with replacement characters",
        sha,
    )


def load_history(
    repo: GitRepo,
    head: str,
    *,
    first_parent: bool,
    use_cache: bool = True,
    split_hint: str | None = None,
) -> History:
    """All commits reachable from `head` (plus cached or hinted ones it may not reach).

    The caller has refused shallow clones: truncated history gives wrong versions.
    """
    path = repo.state_dir / HISTORY_FILE
    key = f"{CACHE_FORMAT}:{PARSER_VERSION}:fp={int(first_parent)}"
    cached = _read_cache(path, key) if use_cache else None
    tips = sorted(repo.existing(cached.tips)) if cached else []
    result = None
    if tips:
        try:
            result = repo.log([head], tips, first_parent=first_parent)
        except GitStateError:
            tips, cached = [], None  # a tip that vanished (a refused push's objects)
    if result is None:
        result = repo.log_history(head, first_parent=first_parent, split_hint=split_hint)
    notices = [invalid_utf8_notice(sha) for sha in result.invalid_utf8]
    new = list(result.commits)
    seen = {c.sha for c in new}
    old = [c for c in cached.commits if c.sha not in seen] if cached else []
    return History(
        head=head,
        commits=new + old,
        notices=notices,
        cache_path=path,
        cache_key=key,
        tips=[head, *[t for t in tips if t != head]][:MAX_TIPS],
        parsed=dict(cached.parsed) if cached else {},
        new_commits=len(new),
        from_cache=len(old),
        cached_parses=len(cached.parsed) if cached else 0,
        cached_tips=tuple(cached.tips) if cached else (),
    )


def save_history(history: History) -> None:
    """Write the cache back when something new was read or parsed."""
    path = history.cache_path
    paths: dict[str, int] = {}
    rows = []
    for c in history.commits:
        files = [paths.setdefault(f, len(paths)) for f in c.files]
        rows.append(
            [c.sha, " ".join(c.parents), c.author_name, c.author_email,
             c.author_time, c.commit_time, c.message, files]
        )  # fmt: skip
    parsed = {sha: _dump_message(m) for sha, m in history.parsed.items()}
    data = {
        "key": history.cache_key,
        "tips": history.tips,
        "paths": list(paths),
        "commits": rows,
        "parsed": parsed,
    }
    write_json(path, data)  # a read-only clone still works, just without the cache


@dataclass(frozen=True, slots=True)
class _Cached:
    tips: list[str]
    commits: list[CommitRecord]
    parsed: dict[str, CommitMessage]


def _read_cache(path: Path, key: str) -> _Cached | None:
    data = read_json(path)
    try:
        if data.get("key") != key:
            return None
        paths = data["paths"]
        commits = [
            CommitRecord(
                str(sha), tuple(str(parents).split()), str(an), str(ae),
                int(at), int(ct), str(msg), tuple(paths[i] for i in files),
            )
            for sha, parents, an, ae, at, ct, msg, files in data["commits"]
        ]  # fmt: skip
        parsed = {str(sha): _load_message(m) for sha, m in data["parsed"].items()}
        tips = [str(t) for t in data["tips"]]
    except (AttributeError, ValueError, KeyError, TypeError, IndexError):
        return None
    return _Cached(tips, commits, parsed)


def _dump_message(m: CommitMessage) -> list[Any]:
    return [m.header, m.type, m.scope, m.bang, m.subject, m.body,
            [[f.token, f.value] for f in m.footers]]  # fmt: skip


def _load_message(row: list[Any]) -> CommitMessage:
    header, type_, scope, bang, subject, body, footers = row
    return CommitMessage(
        str(header),
        None if type_ is None else str(type_),
        None if scope is None else str(scope),
        bool(bang),
        str(subject),
        str(body),
        tuple(Footer(str(t), str(v)) for t, v in footers),
    )
