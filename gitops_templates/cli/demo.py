"""`make demo`: build a sample catalog in a temp dir and drive the main job on it.

Three realistic templates with a shared partial and a short history (features, fixes,
breaking changes, one with a migration), then: validate -> status -> plan -> release ->
more commits -> status -> release -> history -> verify -> show -> stats -> render, test,
shadow, bench -> a consumer's check-update and upgrade -> rollback -> docs, each printed
as a user sees it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

START = 1_767_225_600  # 2026-01-01T00:00:00Z; each commit is a day later

FILES = {
    "gitops-templates.yaml": """\
        tag_format: "{id}@{version}"
        initial_version: "0.1.0"
        bump_types: {feat: minor, fix: patch, perf: patch, revert: patch}
        zero_major: {breaking: minor, feat: minor}
        """,
    "templates/_shared/labels.j2": """\
        app.kubernetes.io/name: {{ name }}
        app.kubernetes.io/managed-by: gitops-templates
        """,
    "templates/k8s-deployment/template.yaml": """\
        apiVersion: gitops-templates/v1
        id: k8s-deployment
        name: Kubernetes Deployment
        description: A Deployment and Service for a stateless HTTP service.
        owners: [platform-team]
        category: kubernetes
        parameters:
          $schema: "http://json-schema.org/draft-07/schema#"
          type: object
          additionalProperties: false
          required: [name, image]
          properties:
            name: {type: string, pattern: "^[a-z][a-z0-9-]{0,62}$", description: Service name.}
            image: {type: string, description: Container image with tag.}
            replicas: {type: integer, minimum: 1, default: 2, description: Pod count.}
        files:
          - {source: deployment.yaml.j2, target: deployment.yaml}
        examples:
          - name: checkout
            values: {name: checkout, image: "ghcr.io/acme/checkout:1.4.2", replicas: 3}
        health:
          checks:
            - {name: errors, type: error_rate, warning: 0.02, critical: 0.05, window: 15m,
               for: 5m, min_samples: 50}
            - {name: p95, type: latency, quantile: 0.95, warning: 500, critical: 2000, window: 15m}
        """,
    "templates/k8s-deployment/deployment.yaml.j2": """\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ name }}
          labels:
            {% filter indent(4) %}{% include "_shared/labels.j2" %}{% endfilter %}
        spec:
          replicas: {{ replicas | default(2) }}
          template:
            spec:
              containers:
                - name: {{ name }}
                  image: {{ image | to_json }}
        """,
    "templates/k8s-deployment/tests/deployment.yaml": """\
        cases:
          - name: replicas default to two
            values: {name: shop, image: "ghcr.io/acme/shop:1.0.0"}
            asserts:
              - equals: {path: spec.replicas, value: 2}
              - equals: {path: 'metadata.labels["app.kubernetes.io/name"]', value: shop}
              - matches: 'image: "ghcr.io/acme/shop:1.0.0"$'
          - name: names are DNS labels
            values: {name: Shop_1, image: "ghcr.io/acme/shop:1.0.0"}
            asserts:
              - fails: does not match
        """,
    "templates/prometheus-alert/template.yaml": """\
        apiVersion: gitops-templates/v1
        id: prometheus-alert
        name: Prometheus error-rate alert
        description: Alert rule that pages when a service's 5xx ratio stays high.
        owners: [sre]
        category: observability
        parameters:
          type: object
          additionalProperties: false
          required: [service]
          properties:
            service:
              {type: string, pattern: "^[a-z][a-z0-9_-]{0,62}$", description: Job label.}
            threshold: {type: number, minimum: 0, maximum: 1, default: 0.05}
        files:
          - {source: rules.yaml.j2, target: rules.yaml}
        examples:
          - name: checkout
            values: {service: checkout, threshold: 0.02}
        """,
    "templates/prometheus-alert/rules.yaml.j2": """\
        groups:
          - name: {{ service }}-errors
            rules:
              - alert: HighErrorRate
                expr: sum(rate(http_requests_total{job="{{ service }}",code=~"5.."}[5m]))
                  / sum(rate(http_requests_total{job="{{ service }}"}[5m])) > {{ threshold }}
        """,
    "templates/github-workflow/template.yaml": """\
        apiVersion: gitops-templates/v1
        id: github-workflow
        name: GitHub Actions CI workflow
        description: Lint and test workflow for a Python service.
        owners: [developer-experience]
        category: ci
        parameters:
          type: object
          additionalProperties: false
          required: [python]
          properties:
            python: {type: string, enum: ["3.11", "3.12", "3.13"], description: Python version.}
        files:
          - {source: ci.yml.j2, target: .github/workflows/ci.yml}
        examples:
          - name: default
            values: {python: "3.12"}
        """,
    "templates/github-workflow/ci.yml.j2": """\
        name: ci
        on: [push, pull_request]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: actions/setup-python@v5
                with: {python-version: "{{ python }}"}
              - run: make test
        """,
}

LATER = [
    ({"templates/prometheus-alert/rules.yaml.j2": "\n    for: 10m\n"},
     "fix(prometheus-alert): wait 10 minutes before paging\n\nRefs: #41"),
    ({"templates/_shared/labels.j2": "\napp.kubernetes.io/part-of: {{ name }}\n"},
     "feat: add the part-of label to shared labels"),
    ({"templates/github-workflow/ci.yml.j2": "\n# cache pip downloads\n"},
     "perf(github-workflow): cache pip downloads"),
    ({"templates/k8s-deployment/deployment.yaml.j2": "\n# image is now required as digest\n"},
     "feat(k8s-deployment)!: require image digests\n\n"
     "BREAKING-CHANGE: `image` must be pinned by digest (name@sha256:...)."),
]  # fmt: skip


# github-workflow renames `python` to `python_version`, with the migration consumers need
RENAME = {
    "templates/github-workflow/template.yaml": [
        ("    python: {type: string,", "    python_version: {type: string,"),
        ("required: [python]", "required: [python_version]"),
        ('values: {python: "3.12"}', 'values: {python_version: "3.12"}'),
    ],
    "templates/github-workflow/ci.yml.j2": [("{{ python }}", "{{ python_version }}")],
}
MIGRATION = """\
migrations:
  - version: "0.2.0"
    description: python renamed to python_version
    ops:
      - {op: rename, from: /python, path: /python_version}
"""
INSTANCE = """\
# CI of the shop service (kept by the shop team)
template: github-workflow
version: "0.1.0"    # the catalog version this file was written for
values:
  python: '3.12'    # what the shop runs in production
"""


FAILED: list[str] = []  # the steps that exited non-zero (the demo then exits 1)


def main() -> int:
    """Build the sample catalog and run the commands on it."""
    base = Path(tempfile.mkdtemp(prefix="gitops-templates-demo-"))
    repo = base / "catalog"
    repo.mkdir()
    clock = [START]

    def git(*args: str, message: str | None = None) -> None:
        clock[0] += 86400
        env = dict(os.environ, GIT_AUTHOR_DATE=f"{clock[0]} +0000",
                   GIT_COMMITTER_DATE=f"{clock[0]} +0000")  # fmt: skip
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, input=message, text=True)

    git("init", "-q", "-b", "main")
    for key, value in (("user.name", "Demo User"), ("user.email", "demo@example.com"),
                       ("commit.gpgsign", "false"), ("tag.gpgsign", "false")):  # fmt: skip
        git("config", key, value)
    for path, text in FILES.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text))
    git("add", "-A")
    git("commit", "-q", "-F", "-", message="feat: initial catalog of three templates")

    print(f"Sample catalog: {repo}\n")
    for cmd in (["validate"], ["status"], ["plan"], ["release"]):
        run(repo, cmd, clock[0] + 3600)
    commit_later(repo, git)
    instance = base / "shop" / "ci.yaml"
    instance.parent.mkdir()
    instance.write_text(INSTANCE)
    shop = ["--set", "name=shop", "--set", "image=ghcr.io/acme/shop:1.0.0"]
    for cmd in (["status"], ["plan"], ["release"], ["history", "k8s-deployment"],
                ["verify"], ["show", "k8s-deployment"], ["stats"],
                ["render", "k8s-deployment@0.1.0", *shop], ["render", "k8s-deployment", *shop],
                ["test", "--simulate", "25"],
                ["shadow", "k8s-deployment", "--champion", "0.1.0", "--challenger", "HEAD",
                 "--simulate", "20"],
                ["bench", "k8s-deployment", "0.1.0", "HEAD"]):  # fmt: skip
        run(repo, cmd, clock[0] + 7200)
    upgrade_consumer(repo, instance, clock[0] + 7200)
    rollback = ["rollback", "prometheus-alert", "--to", "0.1.0", "--reason", "pages 10 min late"]
    for cmd, hours in ((rollback, 3), (["history", "prometheus-alert"], 3),
                       (["rollforward", "prometheus-alert"], 5),
                       (["stats", "prometheus-alert"], 5)):  # fmt: skip
        run(repo, cmd, clock[0] + hours * 3600)
    release_through_pull_request(repo, git, clock)
    for cmd in (["docs"], ["docs", "--check"], ["docs", "--format", "html"]):
        run(repo, cmd, clock[0] + 6 * 3600)
    watch_health(repo, base / "events.jsonl", clock[0] + 7 * 3600)
    print(
        f"\nDocs: {repo}/TEMPLATES.md, {repo}/templates/<id>/README.md and the site "
        f"{repo}/site/index.html"
    )
    print(f"The catalog stays in {repo}; try: gitops-templates --repo {repo} status --json")
    for failure in FAILED:
        print(f"demo step failed: {failure}", file=sys.stderr)
    return 1 if FAILED else 0


def commit_later(repo: Path, git: Callable[..., None]) -> None:
    """The commits after the first release, the breaking rename last."""
    for changes, message in LATER:
        for path, extra in changes.items():
            with (repo / path).open("a") as handle:
                handle.write(extra)
        git("add", "-A")
        git("commit", "-q", "-F", "-", message=message)
    rename_python(repo)
    git("add", "-A")
    git("commit", "-q", "-F", "-", message="feat(github-workflow)!: python is python_version")


def release_through_pull_request(repo: Path, git: Callable[..., None], clock: list[int]) -> None:
    """A fix released the release-please way: a branch, its merge, then the tags."""
    with (repo / "templates/k8s-deployment/deployment.yaml.j2").open("a") as handle:
        handle.write("\n# probes wait for the start-up\n")
    git("add", "-A")
    git("commit", "-q", "-F", "-", message="fix(k8s-deployment): probes wait for the start-up")
    run(repo, ["release-pr", "--body-file", "-"], clock[0] + 3600)
    print("\n\033[1m$ git merge --ff-only gitops-templates/release\033[0m", flush=True)
    git("merge", "-q", "--ff-only", "gitops-templates/release")
    for cmd in (["release", "--from-pr"], ["release-notes", "k8s-deployment"]):
        run(repo, cmd, clock[0] + 3600)


def watch_health(repo: Path, events: Path, when: int) -> None:
    """Events of the last 15 minutes: 0.2.0 clean, 0.2.1 failing 3% (a warning)."""
    import json
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    with events.open("w") as out:
        for i in range(800):
            version, n = ("0.2.0", i) if i % 2 else ("0.2.1", i // 2)
            failed = n % 33 == 0 if version == "0.2.1" else n % 200 == 0
            event = {"time": (now - timedelta(seconds=900 - i)).isoformat(),
                     "template": "k8s-deployment", "version": version, "ok": not failed,
                     "latency_ms": 80 + (n * 37) % 160}  # fmt: skip
            out.write(json.dumps(event) + "\n")
    for cmd in (["metrics", "import", str(events)], ["health", "check"],
                ["health", "report", "k8s-deployment"]):  # fmt: skip
        run(repo, cmd, when)


def upgrade_consumer(repo: Path, instance: Path, when: int) -> None:
    """The shop team checks for an update of its CI workflow and takes it."""
    consumer = ["--catalog", str(repo), str(instance)]
    for cmd in (["migrate", "plan", "github-workflow", "--from", "0.1.0", "--to", "latest"],
                ["check-update", *consumer], ["upgrade", *consumer, "--to", "latest"]):  # fmt: skip
        run(repo, cmd, when)
    print(f"\n$ cat {instance}\n{instance.read_text()}")


def rename_python(repo: Path) -> None:
    """The breaking change of github-workflow, and its migration."""
    for path, replacements in RENAME.items():
        text = (repo / path).read_text()
        for old, new in replacements:
            text = text.replace(old, new)
        (repo / path).write_text(text + (MIGRATION if path.endswith("template.yaml") else ""))


def run(repo: Path, args: list[str], when: int) -> None:
    """Run one CLI command as a user would and show its output (tags dated `when`)."""
    shown = " ".join(shlex.quote(a) for a in args)
    print(f"\n\033[1m$ gitops-templates {shown}\033[0m", flush=True)
    stamp = f"{when} +0000"  # tags, and the commits rollback makes, on the demo's clock
    env = dict(os.environ, GIT_COMMITTER_DATE=stamp, GIT_AUTHOR_DATE=stamp)
    proc = subprocess.run(
        [sys.executable, "-m", "gitops_templates", "--repo", str(repo), *args], check=False, env=env
    )
    if proc.returncode != 0:
        print(f"(exit {proc.returncode})")
        FAILED.append(f"gitops-templates {shown} (exit {proc.returncode})")


if __name__ == "__main__":
    raise SystemExit(main())
