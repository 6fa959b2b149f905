"""Deterministic synthetic catalog: `python benchmarks/generate.py DIR --templates N --commits M`.

Realistic Conventional Commits (types, scopes, `!`, BREAKING-CHANGE and other footers,
the odd commit touching several templates or a shared partial) and annotated version
tags every few commits per template, written with one `git fast-import` stream.

`--evolving` gives every template a draft 2020-12 parameter schema of 10-30 properties
that changes in about 4% of the commits (often with undeclared breaking changes, under
`compatibility: escalate`); see `schemas.py`. Without it, schemas are one line.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import schemas

TYPES = [("feat", 20), ("fix", 30), ("chore", 15), ("docs", 10), ("refactor", 10),
         ("perf", 5), ("test", 5), ("ci", 5)]  # fmt: skip
START = 1_700_000_000


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


def _message(rng: random.Random, tid: str, n: int, kind: str | None = None,
             bang: str | None = None) -> str:  # fmt: skip
    kind = kind or rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
    scope = f"({tid})" if rng.random() < 0.8 else ""
    bang = bang if bang is not None else ("!" if rng.random() < 0.01 else "")
    msg = f"{kind}{scope}{bang}: change {n} of {tid}\n\nWhy this change was made, in prose.\n"
    footers = []
    if rng.random() < 0.01:
        footers.append("BREAKING-CHANGE: a parameter was renamed")
    if rng.random() < 0.1:
        footers.append(f"Refs: #{rng.randint(1, 9999)}")
    if footers:
        msg += "\n" + "\n".join(footers) + "\n"
    return msg


def generate(
    path: Path,
    templates: int,
    commits: int,
    *,
    seed: int = 7,
    tag_every: int = 8,
    evolving: bool = False,
) -> None:
    """Create the repository at `path` (must not exist)."""
    rng = random.Random(seed)
    params = {}
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    ids = [f"tpl-{i:04d}" for i in range(templates)]
    out = bytearray()
    when = START
    out += b"commit refs/heads/main\nmark :1\n"
    out += b"committer Bench <bench@example.com> %d +0000\n" % when
    out += _data("feat: initial catalog")
    out += b"M 100644 inline templates/_shared/labels.j2\n" + _data("team: platform\n")
    if evolving:
        config = "compatibility: escalate\n"
        out += b"M 100644 inline gitops-templates.yaml\n" + _data(config)
    for tid in ids:
        if evolving:
            params[tid] = schemas.initial_schema(rng)
        meta = (
            schemas.template_yaml(tid, params[tid])
            if evolving
            else (
                f"apiVersion: gitops-templates/v1\nid: {tid}\nname: {tid}\n"
                f"description: Synthetic template {tid}.\nowners: [bench]\n"
                "parameters: {type: object, properties: {name: {type: string}}}\n"
                "files: [{source: body.yaml.j2, target: body.yaml}]\n"
            )
        )
        out += f"M 100644 inline templates/{tid}/template.yaml\n".encode() + _data(meta)
        body = "{% include '_shared/labels.j2' %}\n" if rng.random() < 0.2 else "x\n"
        out += f"M 100644 inline templates/{tid}/body.yaml.j2\n".encode() + _data(body)
    since_tag = dict.fromkeys(ids, 0)
    version = {tid: [0, 1, 0] for tid in ids}
    tags = bytearray()
    for n in range(2, commits + 1):
        when += rng.randint(60, 3600)
        touched = [rng.choice(ids)] + ([rng.choice(ids)] if rng.random() < 0.05 else [])
        out += b"commit refs/heads/main\nmark :%d\n" % n
        out += b"committer Bench <bench@example.com> %d +0000\n" % when
        if evolving and rng.random() < 0.04:
            tid = touched[0]
            params[tid], kind, breaking = schemas.evolve(rng, params[tid], n)
            bang = "!" if breaking and rng.random() < 0.3 else ""
            out += _data(_message(rng, tid, n, kind, bang))
            out += b"from :%d\n" % (n - 1)
            meta = schemas.template_yaml(tid, params[tid])
            out += f"M 100644 inline templates/{tid}/template.yaml\n".encode() + _data(meta)
        else:
            out += _data(_message(rng, touched[0], n))
            out += b"from :%d\n" % (n - 1)
        for tid in touched:
            out += f"M 100644 inline templates/{tid}/body.yaml.j2\n".encode() + _data(f"v{n}\n")
            since_tag[tid] += 1
        if rng.random() < 0.002:
            out += b"M 100644 inline templates/_shared/labels.j2\n" + _data(f"team: t{n}\n")
        for tid in touched:
            if since_tag[tid] >= tag_every:
                since_tag[tid] = 0
                name = f"{tid}@{'.'.join(map(str, version[tid]))}"
                version[tid][2] += 1
                tags += f"tag {name}\nfrom :{n}\n".encode()
                tags += b"tagger Bench <bench@example.com> %d +0000\n" % when
                tags += _data(f"{name}\n\nTemplate-Tree: synthetic")
    stream = bytes(out + tags) + b"done\n"
    subprocess.run(["git", "fast-import", "--quiet", "--done"], cwd=path, input=stream, check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=path, check=True)
    subprocess.run(["git", "pack-refs", "--all"], cwd=path, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--templates", type=int, default=300)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--evolving", action="store_true", help="2020-12 schemas that change")
    args = parser.parse_args()
    generate(args.path, args.templates, args.commits, seed=args.seed, evolving=args.evolving)


if __name__ == "__main__":
    main()
