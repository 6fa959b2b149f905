"""Migration speed, as ratios to loading the instance files, measured in the same run.

    python benchmarks/migrations.py [--files 1000] [--runs 3]

A template with three versions (a schema of 20 properties with a 2020-12 `$schema`; a
rename in 2.0.0, a new required property with a default in 3.0.0) and N instance
files pinned to 1.x, each with comments:

- load: read and parse the N files with PyYAML's C loader (the baseline), seconds
- round trip: load and dump the N files with ruamel.yaml's round-trip mode, what keeping
  comments costs at least (the floor of `upgrade`), seconds
- check-update: the Python API over the N files in one process       ratio to load
- upgrade: all N files from 1.x to 3.0.0 in one process, with and without the value and
  output diffs                                                        ratio to load
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PROPERTIES = {f"p{n:02d}": {"type": "string", "maxLength": 40} for n in range(17)}
INSTANCE = """\
# instance {n} of the alerts template
template: alerts
version: "1.{minor}.0"   # written for 1.x
values:
  name: svc-{n}       # the service
  limit: {limit}        # alerts per hour
  tier: gold
{extra}"""


def parameters(*names: str, required: tuple[str, ...] = ("name",)) -> dict[str, Any]:
    known = {
        "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,40}$"},
        "limit": {"type": "integer", "minimum": 1},
        "max_alerts": {"type": "integer", "minimum": 1},
        "tier": {"enum": ["basic", "gold"], "default": "basic"},
        "channel": {"enum": ["email", "slack"], "default": "email"},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {**{n: known[n] for n in names}, **PROPERTIES},
    }


VERSIONS = [
    ("1.0.0", parameters("name", "limit", "tier"), []),
    ("1.1.0", parameters("name", "limit", "tier"), []),
    ("2.0.0", parameters("name", "max_alerts", "tier"),
     [{"version": "2.0.0", "ops": [{"op": "rename", "from": "/limit", "path": "/max_alerts"}]}]),
    ("3.0.0", parameters("name", "max_alerts", "tier", "channel", required=("name", "channel")),
     [{"version": "2.0.0", "ops": [{"op": "rename", "from": "/limit", "path": "/max_alerts"}]},
      {"version": "3.0.0", "ops": [{"op": "set_default", "path": "/channel", "value": "email"}]}]),
]  # fmt: skip


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def catalog(root: Path) -> None:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "bench@example.com")
    git(root, "config", "user.name", "Bench")
    directory = root / "templates" / "alerts"
    directory.mkdir(parents=True)
    for version, schema, migrations in VERSIONS:
        meta = {"apiVersion": "gitops-templates/v1", "id": "alerts", "name": "Alerts",
                "description": "Alert routing.", "parameters": schema,
                "files": [{"source": "a.yaml.j2", "target": "a.yaml"}]}  # fmt: skip
        if migrations:
            meta["migrations"] = migrations
        (directory / "template.yaml").write_text(yaml.safe_dump(meta, sort_keys=False))
        limit = "max_alerts" if version >= "2" else "limit"
        (directory / "a.yaml.j2").write_text(f"name: {{{{ name }}}}\nlimit: {{{{ {limit} "
                                             "| default(10) }}\ntier: {{ tier }}\n")  # fmt: skip
        git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", f"feat(alerts): {version}")
        git(root, "tag", "-a", "-m", version, f"alerts@{version}")


def instances(root: Path, count: int) -> list[str]:
    root.mkdir()
    names = []
    for n in range(count):
        extra = "".join(f"  p{k:02d}: value {k}\n" for k in range(n % 8))
        path = root / f"i{n:04d}.yaml"
        path.write_text(INSTANCE.format(n=n, minor=n % 2, limit=1 + n % 9, extra=extra))
        names.append(str(path))
    return names


def round_trip(files: list[str]) -> None:
    import io

    from ruamel.yaml import YAML

    parser = YAML(typ="rt")
    for name in files:
        stream = io.StringIO()
        parser.dump(parser.load(Path(name).read_text()), stream)


def timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def load(files: list[str]) -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for name in files:
        yaml.load(Path(name).read_bytes(), Loader=loader)


def one_run(work: Path, run: int, count: int) -> dict[str, float]:
    """Every figure once, each over its own fresh copy of the instance files."""
    from gitops_templates import Catalog

    files = instances(work / f"run{run}", count)
    copy = instances(work / f"run{run}-b", count)
    found = {
        "load": timed(lambda: load(files)),
        "round trip": timed(lambda: round_trip(files)),
        "check-update": timed(lambda: Catalog(work / "catalog").check_update(files)),
    }
    start = time.perf_counter()
    report = Catalog(work / "catalog").upgrade(files, to="latest")
    found["upgrade"] = time.perf_counter() - start
    assert report.summary == {"upgraded": count}, report
    found["upgrade --no-diff"] = timed(
        lambda: Catalog(work / "catalog").upgrade(copy, to="latest", diffs=False)
    )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gtpl-bench-migrations-"))
    try:
        catalog(work / "catalog")
        runs = [one_run(work, run, args.files) for run in range(args.runs)]
        results = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
        base = results["load"]
        print(f"{args.files} instance files, medians of {args.runs} runs")
        print(f"  load (PyYAML C loader)   {base:8.3f} s")
        for name in ("round trip", "check-update", "upgrade", "upgrade --no-diff"):
            print(f"  {name:<24} {results[name]:8.3f} s  = {results[name] / base:6.1f} x load")
        print(json.dumps(results))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
