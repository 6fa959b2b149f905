"""The console entry point: the CLI's exit code and all its output, then a prompt exit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import RepoBuilder

LEAVE = [sys.executable, "-c", "import sys\nfrom gitops_templates.cli import leave\n"
         "sys.stdout.write('x' * int(sys.argv[2]))\nleave(eval(sys.argv[1]))"]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "status", "stderr"), [("None", 0, ""), ("3", 3, ""), ("'gone'", 1, "gone\n")]
)
def test_leave_exits_as_sys_exit_would_with_every_byte_written(code: str, status: int, stderr: str):
    done = subprocess.run([*LEAVE, code, "200000"], capture_output=True, text=True, check=False)
    assert (done.returncode, len(done.stdout), done.stderr) == (status, 200_000, stderr)


def test_a_closed_pipe_is_exit_120_and_no_traceback():
    small = [*LEAVE, "0", "100"]  # buffered until `leave` flushes it
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    with subprocess.Popen(
        small, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=buffered
    ) as proc:
        assert proc.stdout is not None
        proc.stdout.close()  # the reader went away before the output was flushed
        stderr = proc.stderr.read() if proc.stderr else b""
    assert proc.returncode == 120
    assert b"Traceback" not in stderr


def test_the_console_entry_gives_the_commands_exit_code_and_output(repo: RepoBuilder):
    repo.template("web").commit("feat(web): first")
    entry = [sys.executable, "-m", "gitops_templates", "--repo", str(repo.path)]
    done = subprocess.run([*entry, "plan", "--json"], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert [r["tag"] for r in json.loads(done.stdout)["releases"]] == ["web@0.1.0"]
    missing = subprocess.run([*entry, "show", "nope"], capture_output=True, text=True, check=False)
    assert missing.returncode == 5
    assert "nope" in missing.stderr


def test_a_process_started_with_stdout_closed_exits_as_before():
    script = "from gitops_templates.cli import leave\nleave(0)"
    done = subprocess.run(["sh", "-c", 'exec "$0" -c "$1" >&-', sys.executable, script],
                          stderr=subprocess.PIPE, check=False)  # fmt: skip
    assert (done.returncode, done.stderr) == (0, b"")
