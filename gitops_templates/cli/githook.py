"""What installed git hooks run: `python -m gitops_templates.cli.githook NAME ARGS...`.

The same use-cases as `gitops-templates hook ...`, without click, so a hook that runs on
every commit starts in a few tens of milliseconds. Arguments and stdin are exactly what
git passes; messages go to stderr (git shows them, with `remote:` for pre-receive).
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run one hook; the return value is the hook's exit code."""
    from gitops_templates.errors import ExitCode, GitOpsTemplatesError

    args = sys.argv[1:] if argv is None else argv
    usage = {"commit-msg": 1, "pre-push": 2, "pre-receive": 0}
    if not args or args[0] not in usage or len(args) - 1 < usage[args[0]]:
        _say(f"usage: githook {{{'|'.join(usage)}}} ARGS (as git passes them)")
        return int(ExitCode.USAGE)
    try:
        return _run(args[0], args[1:])
    except GitOpsTemplatesError as err:
        _say(f"gitops-templates {args[0]}: {err.message}")
        for problem in err.problems:
            _say(f"  {problem.location()}: {problem.message}")
        if err.hint:
            _say(f"hint: {err.hint}")
        return int(err.exit_code)


def _run(name: str, args: list[str]) -> int:
    from gitops_templates.api import Catalog
    from gitops_templates.cli._hooktext import commit_msg_lines, push_lines

    catalog = Catalog(".")
    if name == "commit-msg":
        from pathlib import Path

        lint = catalog.lint_commit_message(Path(args[0]))
        _say(*commit_msg_lines(lint))
        return int(lint.exit_code)
    updates = sys.stdin.read()
    if name == "pre-push":
        report = catalog.check_pre_push(args[0], updates)
    else:
        report = catalog.check_pre_receive(updates)
    _say(*push_lines(report))
    return int(report.exit_code)


def _say(*lines: str) -> None:
    for line in lines:
        sys.stderr.write(line + "\n")


if __name__ == "__main__":
    from gitops_templates.cli import leave

    leave(main())
