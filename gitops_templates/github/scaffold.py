"""What `init --github` / `--pre-commit` write: CI for a catalog repository.

Two workflows that call the composite action: pull requests (validate, commit lint
over the PR range, the compatibility policy through `plan`, docs check, the plan as
a job summary) and pushes to the default branch (plan, then release with an atomic
push, in a concurrency group that never cancels a release half-way, `contents: write`
only there). Untrusted event values reach scripts only through `env:`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gitops_templates.errors import GitOpsTemplatesError, InvalidInputError

if TYPE_CHECKING:
    from gitops_templates.git.repo import GitRepo

DEFAULT_ACTION = "gitops-templates/gitops-templates@v1"
_EXACT_VERSION = re.compile(r"v(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)")
_ACTION_REF = re.compile(
    r"^(?:\./[A-Za-z0-9._/-]*|[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[A-Za-z0-9_./-]+)$"
)

PULL_REQUEST = """\
# Written by `gitops-templates init --github`.
name: templates (pull request)
on:
  pull_request:
permissions:
  contents: read
concurrency:
  group: ${{{{ github.workflow }}}}-${{{{ github.event.pull_request.number }}}}
  cancel-in-progress: true
jobs:
  check:
    runs-on: ubuntu-latest
    outputs:
      matrix: ${{{{ steps.plan.outputs.matrix }}}}
    steps:
      - uses: actions/checkout@v5
        with:
          fetch-depth: 0
      - name: Validate metadata and render the examples
        uses: {action}
        with:
          command: validate
      - name: Lint the commit messages of this pull request
        uses: {action}
        with:
          command: lint-commits
          args: ${{{{ github.event.pull_request.base.sha }}}}..${{{{ github.sha }}}}
      - name: Compatibility policy and release plan (job summary)
        id: plan
        uses: {action}
        with:
          command: plan
      - name: Generated docs are current
        uses: {action}
        with:
          command: docs --check
  test:
    # one job per changed template (spread over at most 256 jobs)
    needs: check
    if: needs.check.outputs.matrix != '' && needs.check.outputs.matrix != '{{"include":[]}}'
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix: ${{{{ fromJSON(needs.check.outputs.matrix) }}}}
    steps:
      - uses: actions/checkout@v5  # `test` reads the work tree only: a shallow clone is enough
      - name: Test cases, snapshots and 100 generated values
        uses: {action}
        with:
          command: test
          args: --simulate 100 --junit test-results.xml ${{{{ matrix.templates }}}}
      - name: Keep the JUnit report
        if: ${{{{ !cancelled() }}}}
        uses: actions/upload-artifact@v6
        with:
          name: test-results-${{{{ strategy.job-index }}}}
          path: test-results.xml
          if-no-files-found: ignore
"""

FULL_TEST = """\
# Written by `gitops-templates init --github`. Every template, weekly and by hand, spread
# over four jobs by `test --shard I/N` (a stable assignment by template id); more shards
# for a larger catalog: list more numbers and change the /4.
name: templates (full test)
on:
  schedule:
    - cron: "41 3 * * 1"
  workflow_dispatch:
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      fail-fast: false
      matrix:
        shard: [1, 2, 3, 4]
    steps:
      - uses: actions/checkout@v5
      - name: Test shard ${{{{ matrix.shard }}}} of 4 (cases, snapshots, 100 generated values)
        uses: {action}
        with:
          command: test
          args: >-
            --shard ${{{{ matrix.shard }}}}/4 --simulate 100 --min-confidence 0.9
            --junit test-results.xml
      - name: Keep the JUnit report
        if: ${{{{ !cancelled() }}}}
        uses: actions/upload-artifact@v6
        with:
          name: test-results-shard-${{{{ matrix.shard }}}}
          path: test-results.xml
          if-no-files-found: ignore
"""

RELEASE = """\
# Written by `gitops-templates init --github`.
name: templates (release)
on:
  push:
    branches: [{branch}]
permissions:
  contents: read
jobs:
  release:
    runs-on: ubuntu-latest
    concurrency:
      group: ${{{{ github.workflow }}}}-release-${{{{ github.ref_name }}}}
      cancel-in-progress: false
    permissions:
      contents: write
    steps:
      - uses: actions/checkout@v5
        with:
          ref: ${{{{ github.ref_name }}}}
          fetch-depth: 0
      - name: Release exactly the pushed commit
        env:
          PUSHED: ${{{{ github.sha }}}}
        run: git reset --hard "$PUSHED"
{release_steps}      - name: GitHub releases for the new tags (existing ones are left alone)
        if: steps.release.outputs.released != '[]'
        env:
          GH_TOKEN: ${{{{ github.token }}}}
          NOTES: ${{{{ steps.release.outputs.notes }}}}
        run: |
          jq -r 'keys[]' <<< "$NOTES" | while read -r tag; do
            if gh release view "$tag" > /dev/null 2>&1; then continue; fi
            jq -r --arg tag "$tag" '.[$tag].notes' <<< "$NOTES" > "$RUNNER_TEMP/notes.md"
            pre=()
            if [ "$(jq -r --arg tag "$tag" '.[$tag].prerelease' <<< "$NOTES")" = true ]; then
              pre=(--prerelease)
            fi
            gh release create "$tag" --verify-tag --title "$tag" \
              --notes-file "$RUNNER_TEMP/notes.md" "${{pre[@]}}"
          done
"""

RELEASE_PR = """\
# Written by `gitops-templates init --github --release-pr`. Each push to {branch} brings
# the release pull request (branch gitops-templates/release) up to date: changelog files,
# docs and the plan. Merging it releases (templates-release.yml). Pushes made with the
# workflow token start no workflow: checks on that branch need a PAT or a GitHub App token.
name: templates (release pull request)
on:
  push:
    branches: [{branch}]
permissions:
  contents: read
concurrency:
  group: ${{{{ github.workflow }}}}-${{{{ github.ref_name }}}}
  cancel-in-progress: true
jobs:
  release-pr:
    runs-on: ubuntu-latest
    permissions:
      contents: write
      pull-requests: write
    steps:
      - uses: actions/checkout@v5
        with:
          ref: ${{{{ github.ref_name }}}}
          fetch-depth: 0
      - name: Plan exactly the pushed commit
        env:
          PUSHED: ${{{{ github.sha }}}}
        run: git reset --hard "$PUSHED"
      - name: Write the release branch and push it (force-with-lease)
        id: release-pr
        uses: {action}
        with:
          command: release-pr
          push: "true"
      - name: Open or update the pull request
        if: steps.release-pr.outputs.pr-status != 'nothing-planned'
        env:
          GH_TOKEN: ${{{{ github.token }}}}
          BASE: ${{{{ github.ref_name }}}}
          BODY: ${{{{ steps.release-pr.outputs.pr-body }}}}
        run: |
          head=gitops-templates/release
          open=$(gh pr list --head "$head" --base "$BASE" --state open --json number --jq length)
          if [ "$open" = 0 ]; then
            gh pr create --head "$head" --base "$BASE" --title "chore(release): templates" \
              --body-file "$BODY"
          else
            gh pr edit "$head" --body-file "$BODY"
          fi
"""

RELEASE_STEPS = """\
      - name: Plan
        uses: {action}
        with:
          command: plan
      - name: Release and push the tags atomically
        id: release
        uses: {action}
        with:
          command: release
          push: "true"
"""

FROM_PR_STEPS = """\
      - name: Release the merged release pull request's plan (a no-op without one)
        id: release
        uses: {action}
        with:
          command: release
          args: --from-pr
          push: "true"
"""

HEALTH = """\
# Written by `gitops-templates init --github`. A runner keeps no file between runs, so the
# metrics database (metrics.path, default .gitops-templates/metrics.db: every evaluation,
# for trends, `for:` and --auto-rollback) is restored from the Actions cache before the
# check and saved under a new key after it, critical (exit 7) or not. Events must reach a
# runner too: point `metrics.source` at Prometheus (or a command) in gitops-templates.yaml,
# or import them in a step before the check.
# To roll back what stays critical in 3 runs in a row, add `args: --auto-rollback 3 --push`
# below and give the job `contents: write`.
name: templates (health)
on:
  schedule:
    - cron: "17 * * * *"
  workflow_dispatch:
permissions:
  contents: read
concurrency:
  group: ${{{{ github.workflow }}}}
  cancel-in-progress: false
jobs:
  health:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
        with:
          fetch-depth: 0
      - name: Evaluations of earlier runs (the newest saved)
        uses: actions/cache/restore@v5
        with:
          path: .gitops-templates/metrics.db*
          key: templates-health-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}
          restore-keys: templates-health-
      - name: Health of the versions in use (annotations, job summary; exit 7 when critical)
        uses: {action}
        with:
          command: health check
      - name: Keep the evaluations for the next run
        if: ${{{{ !cancelled() }}}}
        uses: actions/cache/save@v5
        with:
          path: .gitops-templates/metrics.db*
          key: templates-health-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}
"""

PRE_COMMIT = """\
# Written by `gitops-templates init --pre-commit`; then run:
#   pre-commit install --hook-type commit-msg --hook-type pre-commit
#   pre-commit autoupdate   # pins `rev` to the latest release tag of the hooks' repository
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: gitops-templates-commit-msg
      - id: gitops-templates-validate
      - id: gitops-templates-docs
"""

WORKFLOWS = {
    ".github/workflows/templates-pr.yml": PULL_REQUEST,
    ".github/workflows/templates-release.yml": RELEASE,
    ".github/workflows/templates-health.yml": HEALTH,
    ".github/workflows/templates-test.yml": FULL_TEST,
}


def ci_files(
    repo: GitRepo,
    *,
    github: bool,
    pre_commit: bool,
    action: str | None,
    release_pr: bool = False,
) -> dict[str, str]:
    """The files `init --github` / `--pre-commit` add (path -> text)."""
    files: dict[str, str] = {}
    if github:
        files |= workflow_files(action or DEFAULT_ACTION, _default_branch(repo),
                                release_pr=release_pr)  # fmt: skip
    if pre_commit:
        files |= pre_commit_file(action or DEFAULT_ACTION)
    return files


def _default_branch(repo: GitRepo) -> str:
    """The branch releases happen on: the current one, else `main`."""
    try:
        head = repo.symbolic_head()
    except GitOpsTemplatesError:
        head = None
    return head.removeprefix("refs/heads/") if head else "main"


def workflow_files(
    action: str = DEFAULT_ACTION, branch: str = "main", *, release_pr: bool = False
) -> dict[str, str]:
    """The workflow files `init --github` writes (path -> text).

    `release_pr`: also the release pull request workflow, and the release workflow
    releases what a merged release pull request planned (`release --from-pr`).
    """
    _check_action(action)
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", branch):
        raise InvalidInputError(f"{branch!r} is not a branch name")
    steps = (FROM_PR_STEPS if release_pr else RELEASE_STEPS).format(action=action)
    workflows = dict(WORKFLOWS)
    if release_pr:
        workflows[".github/workflows/templates-release-pr.yml"] = RELEASE_PR
    return {path: text.format(action=action, branch=branch, release_steps=steps)
            for path, text in workflows.items()}  # fmt: skip


def pre_commit_file(action: str = DEFAULT_ACTION) -> dict[str, str]:
    """`.pre-commit-config.yaml` using this project's hooks, at an immutable tag.

    pre-commit wants `rev` to be a tag that never moves: the action's ref when it is an
    exact version (`v1.2.3`), else this package's own version (a major tag like `v1`
    moves; the file says to run `pre-commit autoupdate` to pin the latest release).
    """
    from gitops_templates import __version__

    _check_action(action)
    repo, _, ref = action.partition("@")
    url = f"https://github.com/{repo}" if not repo.startswith("./") else repo
    rev = ref if _EXACT_VERSION.fullmatch(ref) else f"v{__version__}"
    return {".pre-commit-config.yaml": PRE_COMMIT.format(repo=url, rev=rev)}


def _check_action(action: str) -> None:
    """Refuse what is not `owner/repo@ref` or `./path`: it is written into YAML."""
    if not _ACTION_REF.match(action):
        raise InvalidInputError(f"{action!r} is not an action reference",
                                hint="write owner/repo@ref, e.g. " + DEFAULT_ACTION)  # fmt: skip
