"""Rendering and testing speed, as ratios to baselines measured in the same run.

    python benchmarks/rendering.py [--runs 7] [--templates 1000]

- many: rendering 1000 small templates (5 parameters, a 10-line body, an example each)
  in one process, from the work tree, values validated and outputs parsed, against
  loading their 1000 template.yaml with PyYAML's C loader         target <= 2 x
  Each pass runs in a fresh process once its modules are imported, so it starts with
  every cache empty, as one `test` or `validate` run does. Floors from the same run:
  Jinja2's plain `Environment.from_string` compile and render of the same bodies, and
  starting Python and importing the render's modules (and the libraries alone).
- tag: `gitops-templates render web@1.0.0` (a whole process, from Git objects) against
  `git show TAG:path` for each of its files plus starting Python   target <= 1.5 x
  Floors: starting Python and importing the command's modules, and the libraries alone
  (a version rendered before imports no jsonschema: its metadata verdict is remembered);
  the first render of a version, which checks its template.yaml, beside them.
- simulate: `gitops-templates test web --simulate 100` on a template with 20
  parameters, in seconds (and per generated value)
"""

from __future__ import annotations

import argparse
import json
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
    """What `test`/`validate` do per template: read it, check its metadata, render."""
    from gitops_templates.rendering.render import read_metadata, render_source
    from gitops_templates.rendering.source import source_in

    start = time.perf_counter()
    for tid in ids:
        base = f"templates/{tid}"
        source = source_in(root / base, tid, base, root)
        metadata, _ = read_metadata(source)  # parsed and checked once: render_source reuses it
        render_source(source, metadata["examples"][0]["values"])
    return time.perf_counter() - start


def jinja_all(root: Path, ids: list[str]) -> float:
    """The floor: Jinja2's own compile and render of every body, nothing else."""
    import jinja2

    env = jinja2.Environment(autoescape=False, trim_blocks=True, keep_trailing_newline=True)
    env.filters["to_json"] = json.dumps
    values = {"replicas": 2, "image": "nginx:1.27", "env": "dev", "labels": {}}
    start = time.perf_counter()
    for tid in ids:
        body = (root / "templates" / tid / "deploy.yaml.j2").read_text()
        env.from_string(body).render(values, name=tid)
    return time.perf_counter() - start


# What a render needs: our modules (imported before the pass is timed, so the pass
# starts with every cache empty), and the libraries alone (the imports floor)
RENDER_MODULES = tuple(f"gitops_templates.{name}" for name in (
    "rendering.render", "rendering.source", "rendering.engine", "rendering.outputs",
    "rendering.values", "catalog.schema", "catalog.userschema", "catalog.metaschema",
    "catalog.metacheck", "catalog.yamlio", "core.patterns"))  # fmt: skip
LIBRARIES = "jinja2.sandbox, yaml, jsonschema, regex"
# A version rendered before has its template.yaml verdict remembered: no jsonschema
TAG_MODULES = tuple(m for m in RENDER_MODULES if not m.endswith(".metaschema"))
TAG_LIBRARIES = "jinja2.sandbox, yaml, regex"
PASSES = {"load": (("yaml",), load_all), "render": (RENDER_MODULES, render_all),
          "jinja": (("jinja2",), jinja_all)}  # fmt: skip


def child(kind: str, root: str) -> None:
    """One cold pass in this fresh process: imports first, then the timed pass."""
    import importlib

    modules, run = PASSES[kind]
    for name in modules:
        importlib.import_module(name)
    directory = Path(root)
    ids = sorted(p.name for p in (directory / "templates").iterdir())
    print(f"{run(directory, ids):.6f}")


def cold(kind: str, root: Path) -> float:
    """Seconds of one pass in a fresh process (no cache of an earlier pass)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(root)]
    done = subprocess.run(cmd, env=ENV, check=True, capture_output=True, text=True)
    return float(done.stdout.strip())


def many(runs: int, count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_catalog(root, count)
        imports = [sys.executable, "-c", f"import {', '.join(RENDER_MODULES)}"]
        libraries = [sys.executable, "-c", f"import {LIBRARIES}"]
        bare = [sys.executable, "-c", "pass"]
        cold("render", root)  # byte-compiles our modules once, as an install would
        found: dict[str, list[float]] = {k: [] for k in (*PASSES, "imports", "libs", "bare")}
        for _ in range(runs):  # interleaved, so drift of the machine hits all alike
            for kind in PASSES:
                found[kind].append(cold(kind, root))
            for kind, cmd in (("imports", imports), ("libs", libraries), ("bare", bare)):
                found[kind].append(timed(cmd, root))
    m = {kind: statistics.median(times) for kind, times in found.items()}
    b = m["load"]
    print(
        f"render {count} templates, cold (a fresh process per pass, imports done): "
        f"{m['render']:.3f} s vs loading their template.yaml {b:.3f} s = "
        f"{m['render'] / b:.2f} x (target 2 x)\n"
        f"  floors: a plain Jinja2 compile + render of the same bodies {m['jinja']:.3f} s = "
        f"{m['jinja'] / b:.2f} x; before the pass, starting Python and importing the "
        f"render's modules {m['imports']:.3f} s (the libraries alone, {LIBRARIES}: "
        f"{m['libs']:.3f} s; python -c pass: {m['bare']:.3f} s)"
    )


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
        first = [*CLI, "--no-cache", "render", "tpl-0000@1.0.0", "--set", "name=web"]
        modules = ", ".join(("gitops_templates.cli.app", "gitops_templates.cli.render_cmds",
                             "gitops_templates.api", *TAG_MODULES))  # fmt: skip
        imports = [sys.executable, "-c", f"import {modules}"]
        libraries = [sys.executable, "-c", f"import click, {TAG_LIBRARIES}"]
        timed(render, repo)  # byte-compiles our modules once, as an install would
        ours, base, floor, libs, unchecked = [], [], [], [], []
        for _ in range(runs):  # interleaved
            ours.append(timed(render, repo))
            unchecked.append(timed(first, repo))
            floor.append(timed(imports, repo))
            libs.append(timed(libraries, repo))
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            for name in files:
                subprocess.run(["git", "show", f"tpl-0000@1.0.0:templates/tpl-0000/{name}"],
                               cwd=repo, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
            base.append(time.perf_counter() - start)
    o, b = statistics.median(ours), statistics.median(base)
    f, li = statistics.median(floor), statistics.median(libs)
    u = statistics.median(unchecked)
    print(
        f"render ID@VERSION from Git: {o:.3f} s vs git show of its {len(files)} files + "
        f"python start-up {b:.3f} s = {o / b:.2f} x (target 1.5 x)\n"
        f"  floors: starting Python and importing the command's modules, doing nothing "
        f"{f:.3f} s = {f / b:.2f} x; the libraries alone (click, {TAG_LIBRARIES}) "
        f"{li:.3f} s = {li / b:.2f} x\n"
        f"  a version's first render (its template.yaml checked; "
        f"--no-cache) {u:.3f} s = {u / b:.2f} x"
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
    parser.add_argument("--child", nargs=2, metavar=("KIND", "ROOT"), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(*options.child)
        return
    many(options.runs, options.templates)
    tag(options.runs * 3)
    simulate(options.runs)


if __name__ == "__main__":
    main()
