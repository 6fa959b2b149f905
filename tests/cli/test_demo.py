"""`make demo`: the sample catalog driven end to end, every step exiting 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_the_demo_runs_every_step_and_its_docs_settle(tmp_path: Path):
    env = {**os.environ, "TMPDIR": str(tmp_path), "NO_COLOR": "1"}
    proc = subprocess.run([sys.executable, "-m", "gitops_templates.cli.demo"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "(exit" not in proc.stdout
    assert "created k8s-deployment@0.2.1" in proc.stdout  # released from the pull request
    checked = proc.stdout.split("$ gitops-templates docs --check")[1].split("$ ")[0]
    assert "docs up to date (4 file(s))" in checked
    assert "k8s-deployment@0.2.1: degraded  score 83" in proc.stdout  # its 3% errors warn
    catalog = next(tmp_path.glob("gitops-templates-demo-*/catalog"))
    assert (catalog / "site/index.html").is_file()
