"""Health monitoring speed, as ratios to baselines measured in the same run.

    python benchmarks/health.py [--events 1000000] [--runs 3]

- import: `metrics import` of N JSONL events against the `sqlite3` shell importing the
  same rows as CSV into the same table and index                     target <= 3 x
- evaluate: `health check` of 100 templates (two checks each) over those events, in
  one process, seconds                                                target <= 1 s
- one: `health check ID` as a whole process against starting Python and importing what
  it needs, doing nothing                                             target <= 2 x
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
CLI = [sys.executable, "-m", "gitops_templates"]
TEMPLATES = 100
NOW = float(int(time.time()))  # the events span the hour before: in use at the real clock
CHECKS = """\
health:
  checks:
    - {name: errors, type: error_rate, warning: 0.02, critical: 0.05, window: 15m, for: 5m}
    - {name: p95, type: latency, quantile: 0.95, warning: 500, critical: 2000, window: 15m}
"""
TEMPLATE = """\
apiVersion: gitops-templates/v1
id: {id}
name: {id}
description: Benchmark template.
parameters: {{type: object}}
files: [{{source: a.j2, target: a}}]
"""
SCHEMA = ("CREATE TABLE events (time REAL NOT NULL, template TEXT NOT NULL, version TEXT NOT "
          "NULL, instance TEXT, ok INTEGER NOT NULL, latency_ms REAL);"
          "CREATE INDEX events_by_version ON events "
          "(template, version, time, ok, latency_ms);")  # fmt: skip


def catalog(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for n in range(TEMPLATES):
        directory = root / "templates" / f"t{n:03d}"
        directory.mkdir(parents=True)
        (directory / "template.yaml").write_text(TEMPLATE.format(id=f"t{n:03d}") + CHECKS)
        (directory / "a.j2").write_text("x\n")


def feeds(root: Path, count: int) -> tuple[Path, Path]:
    rng = random.Random(7)
    jsonl, csv = root / "events.jsonl", root / "events.csv"
    with jsonl.open("w") as j, csv.open("w") as c:
        for i in range(count):
            at = NOW - 3600 + i * 3600 / count
            tid, version = f"t{rng.randrange(TEMPLATES):03d}", rng.choice(("1.0.0", "1.1.0"))
            ok, latency = rng.random() > 0.01, round(rng.uniform(10, 900), 1)
            j.write(json.dumps({"time": at, "template": tid, "version": version, "ok": ok,
                                "latency_ms": latency}) + "\n")  # fmt: skip
            c.write(f"{at},{tid},{version},,{int(ok)},{latency}\n")
    return jsonl, csv


def timed(cmd: list[str], cwd: Path, stdin: str | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, input=stdin, text=True, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        catalog(root)
        jsonl, csv = feeds(root, options.events)
        db = root / ".gitops-templates" / "metrics.db"
        ours, base = [], []
        for _ in range(options.runs):
            shutil.rmtree(db.parent, ignore_errors=True)
            ours.append(timed([*CLI, "metrics", "import", str(jsonl)], root))
            other = root / "baseline.db"
            other.unlink(missing_ok=True)
            script = f"{SCHEMA}\n.mode csv\n.import {csv} events\n"
            base.append(timed(["sqlite3", str(other)], root, script))
        o, b = statistics.median(ours), statistics.median(base)
        print(f"metrics import of {options.events} JSONL events: {o:.2f} s vs the sqlite3 shell "
              f"importing them as CSV {b:.2f} s = {o / b:.2f} x (target 3 x)")  # fmt: skip
        evaluate(root)
        one(root, options.runs * 3)


def evaluate(root: Path) -> None:
    from gitops_templates import Catalog

    catalog = Catalog(root)
    catalog.health(now=NOW - 1)  # imports and the template.yaml parses, once
    took = []
    for step in range(3):
        start = time.perf_counter()
        report = catalog.health(now=NOW - 60 * step)
        took.append(time.perf_counter() - start)
    checks = sum(len(v.checks) for v in report.versions)
    print(f"health check of {TEMPLATES} templates ({len(report.versions)} versions, {checks} "
          f"checks) over those events, in one process: {statistics.median(took):.2f} s "
          "(target 1 s)")  # fmt: skip


def one(root: Path, runs: int) -> None:
    command = [*CLI, "health", "check", "t000"]
    modules = (
        "gitops_templates.cli.health_cmds, gitops_templates.api, "
        "gitops_templates.health.check, sqlite3, yaml, jsonschema"
    )
    imports = [sys.executable, "-c", f"import {modules}"]
    measured(root, command)  # and warm
    ours, floor = [], []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=root, env=ENV, check=False, stdout=subprocess.DEVNULL)
        ours.append(time.perf_counter() - start)
        floor.append(timed(imports, root))
    o, f = statistics.median(ours), statistics.median(floor)
    print(
        f"health check ID (a whole process): {o:.3f} s vs starting Python and importing "
        f"what it needs {f:.3f} s = {o / f:.2f} x (target 2 x)"
    )


def measured(root: Path, command: list[str]) -> None:
    """The command measures versions in use at the real clock (not the no-data path)."""
    done = subprocess.run([*command, "--json"], cwd=root, env=ENV, check=False, text=True,
                          capture_output=True)  # fmt: skip
    versions = json.loads(done.stdout)["versions"]
    samples = [c["samples"] for v in versions for c in v["checks"]]
    if not samples or min(samples) == 0:
        raise SystemExit(f"health check t000 measured nothing: {done.stdout[:500]}")


if __name__ == "__main__":
    main()
