"""Everything we ship or generate names only commands the CLI has.

Scanned: the workflows and `.pre-commit-config.yaml` that `init --github/--pre-commit`
write (and the action's `command:` inputs in them), `action.yml`, `.pre-commit-hooks.yaml`,
every doc template, and README.md, where only the capability-table rows whose status is
`planned` may name commands that do not exist yet.

A mention is the program name (`gitops-templates`, `gtpl`, `python -m gitops_templates`)
followed on its line by global options and a lowercase word: prose too, so prose names
the tool where no word follows it ("... checkout of gitops-templates").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml

from gitops_templates.cli.app import COMMANDS, main
from gitops_templates.github.scaffold import pre_commit_file, workflow_files

ROOT = Path(__file__).resolve().parents[2]
DOC_TEMPLATES = ROOT / "doc_templates"

# `gitops-templates`, `gtpl` or `python -m gitops_templates`, as a word, then blanks
PROGRAM = re.compile(r"(?<![\w./-])(?:gitops-templates|gtpl|python3? -m gitops_templates)[ \t]+")
OPTION = re.compile(r"--?[A-Za-z][\w-]*(?:=\S+)?")
# a command word, maybe closing a code span or a sentence (then nothing more is read)
WORD = re.compile(r"([a-z][a-z0-9-]*)([`'\").,:;]*)")

Mention = tuple[str, str, str | None]  # (where, command, subcommand)


def _value_options() -> set[str]:
    """The global options that take a value (`--repo DIR`)."""
    return {name for param in main.params if isinstance(param, click.Option)
            and not param.is_flag and not param.count for name in param.opts}  # fmt: skip


def mentions(text: str, where: str) -> Iterator[Mention]:
    """Every `gitops-templates [global options] COMMAND [SUBCOMMAND]` in `text`."""
    takes_value = _value_options()
    for match in PROGRAM.finditer(text):
        tokens = text[match.end() :].split("\n", 1)[0].split()
        while tokens and OPTION.fullmatch(tokens[0]):
            option = tokens.pop(0)
            if option in takes_value and tokens:
                tokens.pop(0)
        command = WORD.fullmatch(tokens[0]) if tokens else None
        if command is None:  # `gitops-templates [OPTIONS] COMMAND`, `--help`, `-->`
            continue
        sub = WORD.fullmatch(tokens[1]) if len(tokens) > 1 and not command[2] else None
        line = text.count("\n", 0, match.start()) + 1
        yield f"{where}:{line}", command[1], sub[1] if sub else None


def capability_table(readme: str) -> tuple[str, list[tuple[str, str]]]:
    """README without the `planned` rows of the capability table; (status, commands cell)."""
    lines = readme.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("| capability |"))
    header = [cell.strip() for cell in lines[start].strip().strip("|").split("|")]
    commands, status = header.index("commands"), header.index("status")
    rows: list[tuple[str, str]] = []
    kept = lines[: start + 2]  # the header and its separator
    end = start + 2
    while end < len(lines) and lines[end].startswith("|"):
        cells = [cell.strip() for cell in lines[end].strip().strip("|").split("|")]
        rows.append((cells[status], cells[commands]))
        if cells[status] != "planned":
            kept.append(lines[end])
        end += 1
    return "".join(kept + lines[end:]), rows


def table_mentions(cell: str, where: str) -> Iterator[Mention]:
    """Commands in a table cell: `status`, `diff --rules`, `hook commit-msg`/`pre-push`."""
    group: str | None = None
    previous_end = -1
    for span in re.finditer(r"`([^`]+)`", cell):
        words = [w for w in span[1].split() if not w.startswith("-")]
        continues = cell[previous_end : span.start()] == "/"  # `hook a`/`b`: one more of hook
        previous_end = span.end()
        if not words or "." in words[0]:  # options alone, file names (`action.yml`)
            continue
        if continues and group is not None:
            yield where, group, words[0]
            continue
        group = words[0] if len(words) > 1 else None
        yield where, words[0], words[1] if len(words) > 1 else None


def action_commands(workflow: str, where: str) -> Iterator[Mention]:
    """The `command:` input of every step that uses the action."""
    for job in (yaml.safe_load(workflow).get("jobs") or {}).values():
        for step in job.get("steps", []):
            yield from _step_command(step, where)


def _step_command(step: object, where: str) -> Iterator[Mention]:
    if isinstance(step, dict) and "gitops-templates" in str(step.get("uses", "")):
        command = (step.get("with") or {}).get("command")
        assert command, f"{where}: a step using the action without `command:`: {step}"
        yield from mentions(f"gitops-templates {command}", f"{where} command: {command}")


def readme_yaml_commands(readme: str) -> Iterator[Mention]:
    """`command:` inputs in README's YAML examples that use the action."""
    for block in re.findall(r"^```yaml\n(.*?)^```", readme, flags=re.M | re.S):
        steps = yaml.safe_load(block)
        for step in steps if isinstance(steps, list) else []:
            yield from _step_command(step, "README.md (yaml example)")


def advertised() -> list[Mention]:
    """Every command mentioned in what we ship or generate, with where."""
    found: list[Mention] = []
    generated = workflow_files() | pre_commit_file()
    for path, text in generated.items():
        found += mentions(text, f"init: {path}")
    for path, text in workflow_files().items():
        found += action_commands(text, f"init: {path}")
    found += mentions((ROOT / "action.yml").read_text(), "action.yml")
    hooks_file = (ROOT / ".pre-commit-hooks.yaml").read_text()
    found += mentions(hooks_file, ".pre-commit-hooks.yaml")
    for hook in yaml.safe_load(hooks_file):
        line = " ".join([hook["entry"], *hook.get("args", [])])
        found += mentions(line, f".pre-commit-hooks.yaml {hook['id']} entry/args")
    for doc in sorted(DOC_TEMPLATES.iterdir()):
        found += mentions(doc.read_text(), f"doc_templates/{doc.name}")
    readme, rows = capability_table((ROOT / "README.md").read_text())
    found += mentions(readme, "README.md")
    found += readme_yaml_commands(readme)
    for status, cell in rows:
        if status != "planned":
            found += table_mentions(cell, "README.md capability table")
    return found


def real_commands() -> dict[str, set[str] | None]:
    """Command -> its subcommands (None for a plain command)."""
    context = click.Context(main)
    commands: dict[str, set[str] | None] = {}
    for name in COMMANDS:
        command = main.get_command(context, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            commands[name] = set(command.list_commands(context))
        else:
            commands[name] = None
    return commands


def unknown(found: list[Mention]) -> list[str]:
    """What names no command (or no subcommand of a group), as `where: why`."""
    real = real_commands()
    problems = []
    for where, command, sub in found:
        if command not in real:
            problems.append(f"{where}: `{command}` is not a command")
            continue
        subcommands = real[command]
        if subcommands is not None and sub is not None and sub not in subcommands:
            problems.append(f"{where}: `{command} {sub}` is not a subcommand")
    return problems


def test_every_advertised_command_exists():
    found = advertised()
    assert unknown(found) == []
    # the scan reads what it should: every source has mentions, subcommands included
    sources = {where.split(":")[0].split(" ")[0] for where, _, _ in found}
    assert {"init", ".pre-commit-hooks.yaml", "doc_templates/template.md.j2",
            "doc_templates/template.html.j2", "README.md"} <= sources  # fmt: skip
    names = {(command, sub) for _, command, sub in found}
    assert {("hook", "commit-msg"), ("hooks", "install"), ("hook", "pre-receive"),
            ("hook", "pre-push")} <= names  # fmt: skip
    actions = {command for where, command, _ in found if " command: " in where}
    assert actions == {"validate", "lint-commits", "plan", "docs", "release", "test", "health"}


def test_only_the_planned_rows_of_the_capability_table_are_left_out():
    readme = (ROOT / "README.md").read_text()
    kept, rows = capability_table(readme)
    assert {status for status, _ in rows} == {"available", "planned"}
    removed = [line for line in readme.splitlines() if line not in kept.splitlines()]
    assert len(removed) == sum(status == "planned" for status, _ in rows)
    assert all(line.removesuffix("|").rsplit("|", 1)[1].strip() == "planned" for line in removed)
    assert len(kept) + sum(len(line) + 1 for line in removed) == len(readme)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("`gitops-templates render web@1.0.0 -f v.yaml`", [("render", None)]),
        ("run `gtpl --repo x hooks install` then", [("hooks", "install")]),
        ("`gitops-templates hooks` installs", [("hooks", None)]),
        ("`gitops-templates docs` renders these", [("docs", None)]),
        ("gitops-templates [OPTIONS] COMMAND [ARGS]...", []),
        ("<!-- gitops-templates --> and `gitops-templates --help`: x", []),
        ("see https://github.com/acme/gitops-templates and gitops-templates.yaml", []),
        ('content="gitops-templates docs"', [("docs", None)]),
        ("python -m gitops_templates --debug status", [("status", None)]),
    ],
)
def test_mentions_are_read_like_a_reader_would(
    text: str, expected: list[tuple[str, str | None]]
) -> None:
    assert [(c, s) for _, c, s in mentions(text, "x")] == expected


def test_table_cells_are_read_with_their_subcommands():
    cell = "`init --github/--hooks`, `hooks install`, `hook commit-msg`/`pre-push`; `action.yml`"
    assert list(table_mentions(cell, "t")) == [
        ("t", "init", None), ("t", "hooks", "install"), ("t", "hook", "commit-msg"),
        ("t", "hook", "pre-push")]  # fmt: skip
    assert [c for _, c, _ in table_mentions("checked by `plan`/`release`", "t")] == [
        "plan", "release"]  # fmt: skip


def test_advertising_a_missing_command_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    docs = tmp_path / "doc_templates"
    docs.mkdir()
    for path in DOC_TEMPLATES.iterdir():
        (docs / path.name).write_text(path.read_text())
    template = docs / "template.md.j2"
    template.write_text(template.read_text().replace(
        "{% block usage %}\n", "{% block usage %}\nShip it: `gitops-templates teleport {{ t.id }}`\n"
    ))  # fmt: skip
    monkeypatch.setattr(f"{__name__}.DOC_TEMPLATES", docs)
    problems = unknown(advertised())
    assert len(problems) == 1
    assert problems[0].startswith("doc_templates/template.md.j2:")
    assert problems[0].endswith(": `teleport` is not a command")
    assert unknown([("x", "hooks", "uninstall"), ("y", "hook", "pre-push")]) == [
        "x: `hooks uninstall` is not a subcommand"
    ]
    workflow = "jobs: {a: {steps: [{uses: acme/gitops-templates@v1, with: {command: teleport}}]}}"
    assert unknown(list(action_commands(workflow, "w"))) == [
        "w command: teleport:1: `teleport` is not a command"
    ]
