"""The inputs shadow comparison and benchmarks render: examples, cases, consumers' files.

From each version's source: the examples (`template.yaml` and `examples/*.yaml`) and the
values of its test cases. From `--corpus DIR`: consumers' instance files (`{template,
version, values}`, those of this template) or plain values files, every `*.yaml`,
`*.yml` and `*.json` below DIR, read with the guarded reads. Inputs are deduplicated by
content; each keeps the label of where it was first found.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from gitops_templates.errors import GitOpsTemplatesError, InvalidInputError

if TYPE_CHECKING:
    from pathlib import Path

    from gitops_templates.rendering.source import TemplateSource

Input = tuple[str, Any]  # (label, values)
MAX_CORPUS_FILES = 10_000


def source_inputs(source: TemplateSource, metadata: dict[str, Any]) -> list[Input]:
    """The examples and test-case values of one version."""
    from gitops_templates.testing.run import examples_of
    from gitops_templates.testing.suites import load_cases

    found = [(f"example {name}", values) for name, values in examples_of(source, metadata)
             if not isinstance(values, GitOpsTemplatesError)]  # fmt: skip
    cases, _ = load_cases(source)
    return found + [(f"case {c.suite}: {c.name}", c.values) for c in cases]


def directory_inputs(directory: Path, tid: str) -> list[Input]:
    """Values of `tid` in the instance or values files below `directory`."""
    from gitops_templates.catalog.files import read_bytes
    from gitops_templates.catalog.yamlio import load_yaml

    if not directory.is_dir():
        raise InvalidInputError(f"--corpus {directory}: not a directory")
    files = sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml", ".json")
                   and p.is_file() and not p.is_symlink())  # fmt: skip
    if len(files) > MAX_CORPUS_FILES:
        raise InvalidInputError(f"--corpus {directory}: more than {MAX_CORPUS_FILES} files")
    found: list[Input] = []
    for path in files:
        try:
            raw = read_bytes(directory, path)
        except InvalidInputError as err:
            raise InvalidInputError(f"--corpus {path}: {err.problems[0].message}",
                                    hint="corpus files are consumers' values or instance files "
                                    "(YAML or JSON, at most 8 MiB)") from None  # fmt: skip
        data = load_yaml(raw, str(path)).data
        if isinstance(data, dict) and "template" in data and "values" in data:
            if data["template"] == tid and isinstance(data["values"], dict):
                found.append((f"corpus {path.relative_to(directory)}", data["values"]))
        elif isinstance(data, dict):
            found.append((f"corpus {path.relative_to(directory)}", data))
    return found


def deduplicated(inputs: list[Input]) -> list[Input]:
    """The first input of each distinct content."""
    seen: dict[str, Input] = {}
    for label, values in inputs:
        seen.setdefault(json.dumps(values, sort_keys=True, default=str), (label, values))
    return list(seen.values())
