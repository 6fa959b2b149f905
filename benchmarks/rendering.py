"""Rendering and testing speed, as ratios to baselines measured in the same run.

    python benchmarks/rendering.py [--runs 7] [--templates 1000]

- many: rendering 1000 small templates (5 parameters, a 10-line body, an example each)
  in one process, from the work tree, values validated and outputs parsed, against
  loading their 1000 template.yaml with PyYAML's C loader         target <= 2 x
- tag: `gitops-templates render web@1.0.0` (a whole process, from Git objects) against
  `git show TAG:path` for each of its files plus starting Python   target <= 1.5 x
- simulate: `gitops-templates test web --simulate 100` on a template with 20
  parameters, in seconds (and per generated value)
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

ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
CLI = [sys.executable, "-m", "gitops_templates"]

SMALL = """\
apiVersion: gitops-templates/v1
id: {id}
name: Template {id}
description: Small template {n} of the benchmark.
parameters:
  $schema: "https://json-schema.org/draft/2020-12/schema"
  type: object
  additionalProperties: false
  required: [name]
  properties:
    name: {{type: string, pattern: "^[a-z][a-z0-9-]*$", description: Service {n}.}}
    replicas: {{type: integer, minimum: 1, default: 2}}
    image: {{type: string, default: "nginx:1.27"}}
    env: {{type: string, enum: [dev, prod], default: dev}}
    labels: {{type: object, additionalProperties: {{type: string}}, default: {{}}}}
files:
  - {{source: deploy.yaml.j2, target: deploy.yaml}}
examples:
  - name: default
    values: {{name: svc-{n}}}
"""
BODY = """\
# template {id}: every body differs, so each one is compiled
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ name }}
  labels: {{ labels | to_json }}
spec:
  replicas: {{ replicas }}
  template:
    spec:
      containers:
        - {name: {{ name }}, image: {{ image | to_json }}, env: [{name: ENV, value: {{ env }}}]}
"""


def write_catalog(root: Path, count: int) -> list[str]:
    ids = [f"tpl-{n:04d}" for n in range(count)]
    for n, tid in enumerate(ids):
        directory = root / "templates" / tid
        directory.mkdir(parents=True)
        (directory / "template.yaml").write_text(SMALL.format(id=tid, n=n))
        (directory / "deploy.yaml.j2").write_text(BODY.replace("{id}", tid))
    return ids


def load_all(root: Path, ids: list[str]) -> float:
    import yaml

    start = time.perf_counter()
    for tid in ids:
        text = (root / "templates" / tid / "template.yaml").read_bytes()
        yaml.load(text, Loader=yaml.CSafeLoader)  # the C *safe* loader
    return time.perf_counter() - start


def render_all(root: Path, ids: list[str]) -> float:
    from gitops_templates.rendering.render import read_metadata, render_source
    from gitops_templates.rendering.source import source_in

    start = time.perf_counter()
    for tid in ids:
        base = f"templates/{tid}"
        source = source_in(root / base, tid, base, root)
        metadata, _ = read_metadata(source)  # parsed and checked once: render_source reuses it
        render_source(source, metadata["examples"][0]["values"])
    return time.perf_counter() - start


def many(runs: int, count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        ids = write_catalog(root, count)
        render_all(root, ids[:5])  # imports and the validators' caches, once
        base, ours, floor = [], [], []
        for _ in range(runs):
            base.append(load_all(root, ids))
            ours.append(render_all(root, ids))
            floor.append(compile_all(root, ids))
    b, o, f = statistics.median(base), statistics.median(ours), statistics.median(floor)
    print(
        f"render {count} templates in one process: {o:.3f} s vs loading their "
        f"template.yaml {b:.3f} s = {o / b:.2f} x (target 2 x); the floor, compiling their "
        f"bodies with a plain Jinja2 environment: {f:.3f} s = {f / b:.2f} x"
    )


def compile_all(root: Path, ids: list[str]) -> float:
    """Jinja2's own compile of every body, nothing else (no render, no checks)."""
    import jinja2

    env = jinja2.Environment(autoescape=False)
    env.filters["to_json"] = str
    start = time.perf_counter()
    for tid in ids:
        env.from_string((root / "templates" / tid / "deploy.yaml.j2").read_text())
    return time.perf_counter() - start


def git(repo: Path, *args: str) -> None:
    env = {**ENV, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b",
           "GIT_COMMITTER_EMAIL": "b@x"}  # fmt: skip
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def tag(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        git(repo, "init", "-q")
        write_catalog(repo, 1)
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "feat: first")
        git(repo, "tag", "-a", "-m", "1.0.0", "tpl-0000@1.0.0")
        (repo / "templates/tpl-0000/deploy.yaml.j2").write_text("moved on\n")
        files = ["template.yaml", "deploy.yaml.j2"]
        render = [*CLI, "render", "tpl-0000@1.0.0", "--set", "name=web"]
        modules = ("gitops_templates.cli.render_cmds, gitops_templates.api, "
                   "gitops_templates.rendering.render, gitops_templates.rendering.engine, "
                   "gitops_templates.catalog.schema, yaml")  # fmt: skip
        imports = [sys.executable, "-c", f"import {modules}"]
        timed(render, repo)  # byte-compiles our modules once, as an install would
        ours, base, floor = [], [], []
        for _ in range(runs):
            ours.append(timed(render, repo))
            floor.append(timed(imports, repo))
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            for name in files:
                subprocess.run(["git", "show", f"tpl-0000@1.0.0:templates/tpl-0000/{name}"],
                               cwd=repo, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            base.append(time.perf_counter() - start)
    o, b, f = statistics.median(ours), statistics.median(base), statistics.median(floor)
    print(
        f"render ID@VERSION from Git: {o:.3f} s vs git show of its {len(files)} files + "
        f"python start-up {b:.3f} s = {o / b:.2f} x (target 1.5 x); the floor, starting "
        f"Python and importing what render needs (Jinja2, jsonschema, PyYAML, click) and "
        f"doing nothing: {f:.3f} s = {f / b:.2f} x"
    )


TWENTY = "\n".join(
    f"    p{i}: {{type: {kind}}}" for i, kind in
    enumerate(["string", "integer", "boolean", "number"] * 5)
)  # fmt: skip


def simulate(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        git(repo, "init", "-q")
        directory = repo / "templates/web"
        directory.mkdir(parents=True)
        (directory / "template.yaml").write_text(
            "apiVersion: gitops-templates/v1\nid: web\nname: Web\ndescription: d.\n"
            "parameters:\n  type: object\n  additionalProperties: false\n  properties:\n"
            f"{TWENTY}\nfiles:\n  - {{source: out.json.j2, target: out.json}}\n"
        )
        (directory / "out.json.j2").write_text("{{ values | to_json }}\n")
        command = [*CLI, "test", "web", "--simulate", "100"]
        timed(command, repo)
        took = statistics.median(timed(command, repo) for _ in range(max(1, runs // 2)))
    print(
        f"test --simulate 100 on 20 parameters: {took:.2f} s ({took * 10:.1f} ms a value, "
        "start-up included)"
    )


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--templates", type=int, default=1000)
    options = parser.parse_args()
    many(options.runs, options.templates)
    tag(options.runs * 3)
    simulate(options.runs)


if __name__ == "__main__":
    main()
