"""Hook start-up, as ratios to a bare `python -c pass` measured in the same run.

    python benchmarks/hooks.py [--runs 21]

- commit-msg: what the installed hook runs (`python -m gitops_templates.cli.githook
  commit-msg FILE`) on a 50-template catalog with a config file    target <= 5 x
- pre-push: the same entry with git's stdin line for 20 new commits touching templates
  (validation of the touched templates and the compatibility policy), caches warm as
  after any earlier command in the clone                            target <= 8 x
Runs are interleaved with the baseline so machine drift hits both alike. For scale, the
same ratio is given for starting Python and importing the standard modules any hook
needs (dataclasses, json, pathlib, re, subprocess), and for importing the hook's own
modules without running anything.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402

ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
HOOK = [sys.executable, "-m", "gitops_templates.cli.githook"]
BASELINE = [sys.executable, "-c", "pass"]
FLOOR = [sys.executable, "-c", "import dataclasses, json, pathlib, re, subprocess"]
HOOK_IMPORTS = [sys.executable, "-c", "import gitops_templates.api, "
                "gitops_templates.hooks.handlers, gitops_templates.hooks.core.commitlint, "
                "gitops_templates.cli._hooktext"]  # fmt: skip


def timed(cmd: list[str], cwd: Path, stdin: str | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, input=stdin, text=True, check=False,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr}")
    return elapsed


def paired(cmd: list[str], cwd: Path, runs: int, stdin: str | None = None) -> tuple[float, float]:
    """Medians of (cmd, baseline), interleaved."""
    ours, base = [], []
    for _ in range(runs):
        ours.append(timed(cmd, cwd, stdin))
        base.append(timed(BASELINE, cwd))
    return statistics.median(ours), statistics.median(base)


def git(repo: Path, *args: str) -> str:
    env = dict(ENV, GIT_AUTHOR_NAME="B", GIT_AUTHOR_EMAIL="b@example.com",
               GIT_COMMITTER_NAME="B", GIT_COMMITTER_EMAIL="b@example.com")  # fmt: skip
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    package = str(HERE.parent / "gitops_templates")
    subprocess.run([sys.executable, "-m", "compileall", "-q", package],
                   env=ENV, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="gtpl-hook-bench-") as tmp:
        repo, remote = Path(tmp, "catalog"), Path(tmp, "remote.git")
        generate(repo, 50, 2000)
        (repo / "gitops-templates.yaml").write_text("bump_types: {feat: minor, fix: patch}\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "chore: config")
        git(Path(tmp), "init", "-q", "--bare", str(remote))
        git(repo, "remote", "add", "origin", str(remote))
        git(repo, "push", "-q", "--no-verify", "origin", "main")
        for name, cmd in (("start-up floor", FLOOR), ("hook imports alone", HOOK_IMPORTS)):
            ours, base = paired(cmd, repo, args.runs)
            print(f"{name}: {ours:.3f}s = {ours / base:.2f}x python -c pass", flush=True)
        message = Path(tmp, "COMMIT_EDITMSG")
        message.write_text("fix(tpl-0001): keep labels stable\n\nRefs: BENCH-1\n")
        ours, base = paired([*HOOK, "commit-msg", str(message)], repo, args.runs)
        print(f"commit-msg hook: {ours:.3f}s vs python -c pass {base:.3f}s = "
              f"{ours / base:.2f}x (target <= 5x)", flush=True)  # fmt: skip
        old = git(repo, "rev-parse", "HEAD")
        for i in range(20):
            body = repo / "templates" / f"tpl-{i % 5:04d}" / "body.yaml.j2"
            body.write_text(f"pushed {i}\n")
            git(repo, "commit", "-q", "-a", "-m", f"fix(tpl-{i % 5:04d}): change {i}")
        new = git(repo, "rev-parse", "HEAD")
        stdin = f"refs/heads/main {new} refs/heads/main {old}\n"
        hook = [*HOOK, "pre-push", "origin", str(remote)]
        cold = timed(hook, repo, stdin)  # writes the caches a clone has after any command
        ours, base = paired(hook, repo, args.runs, stdin)
        print(f"pre-push hook (20 commits, 5 templates touched): {ours:.3f}s vs python -c pass "
              f"{base:.3f}s = {ours / base:.2f}x (target <= 8x); first run without caches "
              f"{cold:.3f}s", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
