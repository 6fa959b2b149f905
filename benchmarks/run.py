"""Benchmarks, reported as ratios to raw commands measured in the same run.

    python benchmarks/run.py [--sizes 300x20000,1000x100000] [--runs 5]

For each size a synthetic catalog is generated (benchmarks/generate.py, cached under
benchmarks/.work/) and these are timed as whole processes (median of --runs):

- raw:  one `git log -z --name-only --format=...` pass over the whole history
- cold: `gitops-templates plan` with no cache          target <= 1.3 x raw
- warm: `plan` with the cache and 20 new commits      target <= 0.15 x raw
  (after the cold run that wrote the commit-graph a fast-imported repository lacks)
- rollback: `rollback ID --to V` (commit + tag, undone between runs) vs one
  `git log --name-only -- templates/ID` of that template's directory   target ~ 1 x
- help: `gitops-templates --help` vs `python -c "import click"`   target <= 1.5 x

`--evolving` (a catalog whose 2020-12 parameter schemas change, generate.py --evolving):
- plan cold / warm (nothing new) vs raw                         targets <= 1.3 x / 0.3 x
- validate cold / unchanged tree vs loading every template.yaml with PyYAML's C loader
                                                                 targets <= 3 x / 1.5 x
- docs --check cold / warm vs raw                               targets <= 3 x / 1 x
- plan ID (one template), warm, in seconds
- for scale: starting Python and importing every module a warm plan loads, doing
  nothing, and the three git calls a warm plan cannot skip (the repository, HEAD, tags)

Two reference points put the warm figure in proportion, also as ratios to raw:
- floor: starting Python and importing what any command needs before our code
  (click, dataclasses, json, pathlib, re, subprocess)
- imports: starting Python and importing `plan`'s own modules, doing nothing
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402

LOG_FORMAT = "%x1e%H%x00%P%x00%an%x00%ae%x00%at%x00%ct%x00%B%x00"
TOOL = [sys.executable, "-m", "gitops_templates"]
FLOOR = [sys.executable, "-c", "import click, dataclasses, json, pathlib, re, subprocess"]
PACKAGE = "gitops_templates"
PLAN_MODULES = (
    "cli.app",
    "api",
    "versioning.plan",
    "versioning.release",
    "compat.policy",
    "git.state_cache",
)
PLAN_IMPORTS = [sys.executable, "-c", ";".join(f"import {PACKAGE}.{m}" for m in PLAN_MODULES)]


# Timed as installed: pip byte-compiles on install, so a PYTHONDONTWRITEBYTECODE in the
# caller's environment would otherwise charge every run for compiling every module.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], *, cwd: Path | None = None, before: object = None) -> float:
    """Wall time of one process run (after an optional preparation step)."""
    if callable(before):
        before()
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)  # fmt: skip
    return time.perf_counter() - start


def median(cmd: list[str], runs: int, **kwargs: object) -> float:
    return statistics.median(timed(cmd, **kwargs) for _ in range(runs))  # type: ignore[arg-type]


def catalog(templates: int, commits: int) -> Path:
    path = HERE / ".work" / f"catalog-v2-{templates}x{commits}"  # v2: valid template.yaml
    if not (path / ".git").exists():
        shutil.rmtree(path, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {templates} templates x {commits} commits ...", flush=True)
        generate(path, templates, commits)
    return path


def add_commits(repo: Path, count: int, start: int) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="B", GIT_AUTHOR_EMAIL="b@example.com",
               GIT_COMMITTER_NAME="B", GIT_COMMITTER_EMAIL="b@example.com")  # fmt: skip
    for i in range(count):
        body = repo / "templates" / f"tpl-{(start + i) % 7:04d}" / "body.yaml.j2"
        body.write_text(f"bench {start + i}\n")
        subprocess.run(["git", "commit", "-q", "-a", "-m", f"fix(tpl-{(start + i) % 7:04d}): b{i}"],
                       cwd=repo, env=env, check=True)  # fmt: skip


def bench_size(templates: int, commits: int, runs: int) -> dict[str, float]:
    repo = catalog(templates, commits)
    state = repo / ".git" / "gitops-templates"
    raw = ["git", "-C", str(repo), "log", "-z", "--name-only", f"--format={LOG_FORMAT}", "HEAD"]
    plan = [*TOOL, "--repo", str(repo), "plan"]
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", "main"], check=True)
    base = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip

    def clear() -> None:
        shutil.rmtree(state, ignore_errors=True)

    def config(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "config", *args], check=False)

    graph = repo / ".git" / "objects" / "info" / "commit-graph"
    graph.unlink(missing_ok=True)
    config("core.commitGraph", "false")  # no background writer during cold samples
    results: dict[str, float] = {}
    samples_raw, samples_cold = [], []
    for _ in range(runs):  # interleaved, so drift hits both alike
        samples_raw.append(timed(raw))
        samples_cold.append(timed(plan, before=clear))
    results["raw"] = statistics.median(samples_raw)
    results["cold"] = statistics.median(samples_cold)

    # warm: a cache made at `base` by a cold run (which also starts writing the
    # commit-graph git lacks after fast-import), then 20 new commits on top of it
    config("--unset", "core.commitGraph")
    clear()
    subprocess.run(plan, env=ENV, check=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not graph.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    saved = state.with_name("gitops-templates.saved")
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(state, saved)
    add_commits(repo, 20, commits)

    def restore() -> None:
        shutil.rmtree(state, ignore_errors=True)
        shutil.copytree(saved, state)

    results["warm"] = median(plan, runs, before=restore)
    subprocess.run(["git", "-C", str(repo), "reset", "-q", "--hard", base], check=True)
    shutil.rmtree(saved, ignore_errors=True)
    results.update(bench_rollback(repo, base, runs))
    return results


def bench_rollback(repo: Path, base: str, runs: int) -> dict[str, float]:
    """A real rollback of the template with the most versions, undone between runs."""

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                              check=True).stdout  # fmt: skip

    tags = git("for-each-ref", "--merged=HEAD", "--format=%(refname:strip=2)", "refs/tags/")
    per: dict[str, list[str]] = {}
    for name in tags.split():
        tid, _, version = name.partition("@")
        per.setdefault(tid, []).append(version)
    tid, versions = max(per.items(), key=lambda kv: len(kv[1]))
    versions.sort(key=lambda v: tuple(int(x) for x in v.split("-")[0].split(".")))
    target = versions[len(versions) // 2]
    rollback = [*TOOL, "--repo", str(repo), "rollback", tid, "--to", target, "--reason", "bench"]
    path_log = ["git", "-C", str(repo), "log", "-z", "--name-only", f"--format={LOG_FORMAT}",
                "HEAD", "--", f"templates/{tid}"]  # fmt: skip

    def undo() -> None:
        git("reset", "-q", "--hard", base)
        for ref in git("for-each-ref", "--format=%(refname)", "refs/gitops-templates/").split():
            git("update-ref", "-d", ref)
        fresh = set(git("tag", "-l", f"{tid}@*").split()) - set(tags.split())
        if fresh:
            git("tag", "-d", *fresh)

    samples_log, samples_rollback = [], []
    for _ in range(runs):
        samples_log.append(timed(path_log))
        samples_rollback.append(timed(rollback, before=undo))
    undo()
    return {"path_log": statistics.median(samples_log),
            "rollback": statistics.median(samples_rollback)}  # fmt: skip


def evolving_catalog(templates: int, commits: int) -> Path:
    path = HERE / ".work" / f"evolving-v1-{templates}x{commits}"
    if not (path / ".git").exists():
        shutil.rmtree(path, ignore_errors=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating an evolving catalog {templates} x {commits} ...", flush=True)
        generate(path, templates, commits, evolving=True)
    return path


def bench_evolving(templates: int, commits: int, runs: int) -> dict[str, float]:
    """The commands the schema-heavy catalog makes slow, cold (no caches) and warm."""
    repo = evolving_catalog(templates, commits)
    state = repo / ".git" / "gitops-templates"
    raw = ["git", "-C", str(repo), "log", "-z", "--name-only", f"--format={LOG_FORMAT}", "HEAD"]
    load = [sys.executable, "-c", "import glob, yaml\n"
            "for f in glob.glob('templates/*/template.yaml'):\n"
            "    yaml.load(open(f, 'rb'), Loader=yaml.CSafeLoader)"]  # fmt: skip
    tool = [*TOOL, "--repo", str(repo)]
    commands = {
        "plan": [*tool, "plan", "--json"],
        "validate": [*tool, "validate"],
        "docs": [*tool, "docs", "--check"],
        "plan_one": [*tool, "plan", "tpl-0001"],
    }

    def clear() -> None:
        shutil.rmtree(state, ignore_errors=True)

    def run(cmd: list[str], before: object = None) -> float:
        if callable(before):
            before()
        start = time.perf_counter()
        subprocess.run(cmd, cwd=repo, env=ENV, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False)  # fmt: skip
        return time.perf_counter() - start

    run([*tool, "docs"])  # a catalog keeps its generated READMEs: check those
    run(commands["plan"])
    floor = [sys.executable, "-c", "import " + ",".join(warm_plan_modules(tool))]
    calls = [["git", "-C", str(repo), *args] for args in (
        ["rev-parse", "--absolute-git-dir", "--show-toplevel"],
        ["rev-parse", "--verify", "HEAD^{commit}"], ["for-each-ref", "refs/tags/"])]  # fmt: skip
    results: dict[str, list[float]] = {}
    for _ in range(runs):  # interleaved, so drift hits every figure alike
        results.setdefault("raw", []).append(run(raw))
        results.setdefault("load", []).append(run(load))
        for name in ("plan", "validate", "docs"):
            results.setdefault(f"{name}_cold", []).append(run(commands[name], before=clear))
        for name in ("plan", "validate", "docs", "plan_one"):
            run(commands[name])  # warm up the caches of this command
            results.setdefault(f"{name}_warm", []).append(run(commands[name]))
        results.setdefault("floor", []).append(run(floor))
        results.setdefault("calls", []).append(sum(run(call) for call in calls))
    return {name: statistics.median(values) for name, values in results.items()}


def warm_plan_modules(tool: list[str]) -> list[str]:
    """Our modules a warm `plan --json` imports (from its `-X importtime` report)."""
    done = subprocess.run([tool[0], "-X", "importtime", *tool[1:], "plan", "--json"],
                          env=ENV, capture_output=True, text=True, check=False)  # fmt: skip
    names = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    return sorted(n for n in names if n.startswith(f"{PACKAGE}."))


def report_evolving(templates: int, commits: int, runs: int) -> None:
    r = bench_evolving(templates, commits, runs)
    raw, load = r["raw"], r["load"]
    print(f"evolving {templates} x {commits}: raw git log {raw:.3f}s, "
          f"C-loader load of every template.yaml {load:.3f}s", flush=True)  # fmt: skip
    print(
        f"  plan --json cold {r['plan_cold']:.3f}s = {r['plan_cold'] / raw:.2f}x raw "
        f"(target 1.3x), warm {r['plan_warm']:.3f}s = {r['plan_warm'] / raw:.2f}x (0.3x)"
    )
    print(
        f"  validate cold {r['validate_cold']:.3f}s = {r['validate_cold'] / load:.2f}x load "
        f"(3x), unchanged {r['validate_warm']:.3f}s = {r['validate_warm'] / load:.2f}x (1.5x)"
    )
    print(
        f"  docs --check cold {r['docs_cold']:.3f}s = {r['docs_cold'] / raw:.2f}x raw (3x), "
        f"warm {r['docs_warm']:.3f}s = {r['docs_warm'] / raw:.2f}x (1x)"
    )
    print(f"  plan tpl-0001 warm {r['plan_one_warm']:.3f}s")
    print(
        f"  for scale: starting Python and importing the modules a warm plan loads "
        f"{r['floor']:.3f}s = {r['floor'] / raw:.2f}x raw, plus its git calls (the "
        f"repository, HEAD, tags) {r['calls']:.3f}s = {r['calls'] / raw:.2f}x",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="300x20000,1000x100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--evolving", default="300x20000", help="size of the evolving catalog "
                        "(templates x commits), or 'none'")  # fmt: skip
    args = parser.parse_args()
    package = str(HERE.parent / "gitops_templates")
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], env=ENV, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    click_import = median([sys.executable, "-c", "import click"], args.runs * 2)
    script = Path(sys.executable).with_name("gitops-templates")  # what users run
    help_cmd = [str(script)] if script.exists() else [*TOOL]
    help_time = median([*help_cmd, "--help"], args.runs * 2)
    print(f"--help: {help_time:.3f}s vs import click {click_import:.3f}s "
          f"= {help_time / click_import:.2f}x (target <= 1.5x)")  # fmt: skip
    floor, imports = median(FLOOR, args.runs * 2), median(PLAN_IMPORTS, args.runs * 2)
    for size in filter(None, args.sizes.split(",")):
        templates, commits = (int(x) for x in size.split("x"))
        r = bench_size(templates, commits, args.runs)
        print(f"{templates} templates x {commits} commits: raw git log {r['raw']:.3f}s | "
              f"plan cold {r['cold']:.3f}s = {r['cold'] / r['raw']:.2f}x (target <= 1.3x) | "
              f"warm (20 new commits) {r['warm']:.3f}s = {r['warm'] / r['raw']:.2f}x "
              f"(target <= 0.15x) | rollback {r['rollback']:.3f}s vs git log of the "
              f"template's directory {r['path_log']:.3f}s = {r['rollback'] / r['path_log']:.2f}x",
              flush=True)  # fmt: skip
        print(
            f"  for scale: start-up floor {floor:.3f}s = {floor / r['raw']:.2f}x raw; "
            f"plan's imports alone {imports:.3f}s = {imports / r['raw']:.2f}x raw",
            flush=True,
        )
    if args.evolving != "none":
        templates, commits = (int(x) for x in args.evolving.split("x"))
        report_evolving(templates, commits, args.runs)


if __name__ == "__main__":
    main()
