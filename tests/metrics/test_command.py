"""The command source: a configured program answers in JSON; its failures are exit 4."""

from __future__ import annotations

import sys
from pathlib import Path

from gitops_templates import Catalog
from tests.conftest import Cli
from tests.helpers import RepoBuilder

ANSWER = """\
import json, sys
question = json.load(sys.stdin)
if "times" not in question:
    print(json.dumps({"versions": ["2.0.0"]}))
else:
    times = question["times"]
    bad = question["check"]["name"] == "errors"
    print(json.dumps({question["check"]["name"]:
        [{"value": 0.2 if bad else 0.0, "samples": 100} for _ in times]}))
"""


def test_a_command_measures_and_a_failing_one_is_exit_4(repo: RepoBuilder, cli: Cli,
                                                        tmp_path: Path):  # fmt: skip
    script = tmp_path / "metrics.py"
    script.write_text(ANSWER)
    repo.template("web")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text() + "health:\n  checks:\n"
                    "    - {name: errors, type: error_rate, critical: 0.05, for: 2m}\n"
                    "    - {name: calm, type: error_rate, critical: 0.05}\n")  # fmt: skip
    repo.write({"gitops-templates.yaml": f"metrics:\n  source: command\n  command: "
                f"['{sys.executable}', '{script}']\n"})  # fmt: skip
    repo.commit("feat(web): measured by a command")
    [version] = Catalog(repo.path).health().versions
    assert (version.version, version.status) == ("2.0.0", "critical")
    assert {c.name: c.state for c in version.checks} == {"errors": "critical", "calm": "ok"}
    script.write_text("import sys; sys.exit('the metrics backend is down')")
    result = cli("health", "check", code=4)
    assert "the metrics backend is down" in result.stderr
