"""`docs`: snapshots of the generated Markdown, check mode, markers, overrides, the site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import partial
from http.server import SimpleHTTPRequestHandler
from pathlib import Path

import pytest

from gitops_templates.docs.core.stamp import has_stamp, unstamped
from tests.conftest import Cli
from tests.helpers import RepoBuilder, serving

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots"


@pytest.fixture
def documented(repo: RepoBuilder, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> RepoBuilder:
    def release() -> None:  # tags dated on the repository's fake clock
        monkeypatch.setenv("GIT_COMMITTER_DATE", f"{repo.clock + 600} +0000")
        cli("release")

    repo.template("web").template("api")
    repo.commit("feat: first templates")
    release()
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace(
        "    replicas:", "    region: {type: string, enum: [eu, us], default: eu, "
        "description: \"Where it runs | *primary*.\"}\n    replicas:"))  # fmt: skip
    repo.commit("feat(web): choose the region")
    release()
    meta.write_text(meta.read_text().replace(
        "    replicas:", "    tier: {type: string, deprecated: true, description: Use region instead.}\n"
        "    replicas:"))  # fmt: skip
    repo.commit("feat(web): tier, already deprecated\n\nRefs: <script>alert(1)</script>")
    release()
    repo.write({"templates/web/body.yaml.j2": "name: {{ name }}\nregion: {{ region }}\n"})
    repo.commit("fix(web): render the region <b>bold</b>")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    return repo


def check_snapshot(name: str, text: str) -> None:
    """The text but its digest line (tags' and the tool's ids change it), which it has."""
    assert has_stamp(text), f"{name} has no digest line"
    text = unstamped(text)
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.write_text(text)
    assert path.is_file(), f"no snapshot {name}: run with UPDATE_SNAPSHOTS=1"
    assert text == path.read_text(), f"{name} changed: review, then UPDATE_SNAPSHOTS=1"


def test_markdown_snapshots(documented: RepoBuilder, cli: Cli):
    result = cli.json("docs")
    assert [f["status"] for f in result["files"]] == ["written"] * 3
    check_snapshot("web.README.md", (documented.path / "templates/web/README.md").read_text())
    check_snapshot("TEMPLATES.md", (documented.path / "TEMPLATES.md").read_text())


def test_parameter_versions_come_from_the_tag_history(documented: RepoBuilder, cli: Cli):
    cli("docs", "web")
    readme = (documented.path / "templates/web/README.md").read_text()
    rows = {line.split("|")[1].strip(): line for line in readme.splitlines()
            if line.startswith("| `")}  # fmt: skip

    def versions(name: str) -> list[str]:
        return [cell.strip() for cell in re.split(r"(?<!\\)\|", rows[name])[7:9]]

    assert versions("`name`") == ["0.1.0", ""]
    assert versions("`region`") == ["0.2.0", ""]
    assert versions("`tier`") == ["0.3.0", "0.3.0"]
    assert "Where it runs \\| \\*primary\\*." in rows["`region`"]
    assert "<b>" not in readme
    assert "&lt;b&gt;" in readme or "\\<b\\>" in readme


def test_check_reports_stale_files_with_a_diff_and_writes_nothing(
    documented: RepoBuilder, cli: Cli
):
    cli("docs")
    assert cli.json("docs", "--check")["ok"] is True
    documented.write({"templates/api/body.yaml.j2": "changed\n"})
    documented.commit("feat(api): a feature")
    before = (documented.path / "templates/api/README.md").read_text()
    result = cli("docs", "--check", code=1)
    assert "+### Unreleased (next: 0.2.0)" in result.stdout
    assert "--- a/templates/api/README.md" in result.stdout
    assert "out of date" in result.stderr
    assert (documented.path / "templates/api/README.md").read_text() == before


def test_hand_written_text_is_kept_outside_the_markers(documented: RepoBuilder, cli: Cli):
    readme = documented.path / "templates/api/README.md"
    readme.write_text("# API (hand-written intro)\n\nAsk #api-team first.\n")
    cli("docs", "api")
    text = readme.read_text()
    assert text.startswith("# API (hand-written intro)\n\nAsk #api-team first.\n\n<!-- BEGIN")
    readme.write_text(text + "\nFooter by hand.\n")
    cli("docs", "api")
    assert readme.read_text().endswith("<!-- END gitops-templates -->\n\nFooter by hand.\n")
    assert cli.json("docs", "api", "--check")["ok"] is True


def test_strict_fails_on_parameters_without_a_description(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    meta = repo.path / "templates/web/template.yaml"
    meta.write_text(meta.read_text().replace(", description: Pod count.", ""))
    repo.commit("feat: web")
    result = cli("docs", "--strict", code=3)
    assert "templates/web/template.yaml: parameters.properties.replicas" in result.stderr
    assert "parameter-description" in result.stderr
    cli("docs")  # not strict by default


def test_a_catalog_overrides_one_block(documented: RepoBuilder, cli: Cli):
    documented.write({
        "gitops-templates.yaml": "docs: {templates_dir: doc-overrides}\n",
        "doc-overrides/template.md.j2": '{% extends "builtin/template.md.j2" %}\n'
        "{% block usage %}\n## Usage\n\nAsk {{ t.owners | join(', ') | md }} first.\n\n"
        "{% endblock %}\n",
    })  # fmt: skip
    cli("docs", "api")
    text = (documented.path / "templates/api/README.md").read_text()
    assert "Ask platform\\-team first." in text or "Ask platform-team first." in text
    assert "gitops-templates render" not in text
    assert "## Parameters" in text  # the other blocks stay


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ ''.__class__.__mro__ }}", "not allowed in the sandbox"),
        ("{{ t.no_such_key }}", "no_such_key"),
        ("{% include '/etc/passwd' %}", "not found"),
        ("{% for x in %}", "syntax error"),
    ],
)
def test_doc_templates_run_sandboxed_and_strict(documented: RepoBuilder, cli: Cli, body, message):
    documented.write({"gitops-templates.yaml": "docs: {templates_dir: d}\n",
                      "d/template.md.j2": body})  # fmt: skip
    result = cli("docs", "api", code=3)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_docs_need_valid_metadata(repo: RepoBuilder, cli: Cli):
    repo.template("web")
    repo.commit("feat: web")
    (repo.path / "templates/web/template.yaml").write_text("id: web\nparameters: 3\n")
    result = cli("docs", code=3)
    assert "templates/web/template.yaml" in result.stderr
    cli("docs", "nope", code=5)


def test_html_site_pages_and_escaping(documented: RepoBuilder, cli: Cli):
    result = cli.json("docs", "--format", "html")
    assert {f["path"] for f in result["files"]} == {
        "site/api.html", "site/web.html", "site/index.html", "site/.nojekyll"}  # fmt: skip
    index = (documented.path / "site/index.html").read_text()
    assert "<script src" not in index
    assert "<link" not in index
    page = (documented.path / "site/web.html").read_text()
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<b>bold</b>" not in page
    assert cli.json("docs", "--format", "html", "--check")["ok"] is True


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium (make test installs Debian's chromium)")
def test_the_site_search_works_in_headless_chromium(documented: RepoBuilder, cli: Cli, tmp_path):
    cli("docs", "--format", "html")
    site = documented.path / "site"
    handler = partial(SimpleHTTPRequestHandler, directory=str(site))
    with serving(handler) as base:
        url = f"{base}/index.html"
        dom_all = _dump_dom(f"{url}", tmp_path / "a")
        dom_region = _dump_dom(f"{url}?q=region", tmp_path / "b")
        dom_none = _dump_dom(f"{url}?q=zzzz-nothing", tmp_path / "c")
    assert '<span id="count">2</span>' in dom_all
    assert '<span id="count">1</span>' in dom_region  # only web has a `region` parameter
    assert 'id="t-api" data-id="api" hidden=""' in dom_region
    assert 'id="t-web" data-id="web" hidden=""' not in dom_region
    assert '<p id="empty" class="muted">No template matches.</p>' in dom_none


def _dump_dom(url: str, profile: Path) -> str:
    assert CHROMIUM is not None
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={profile}", "--virtual-time-budget=3000",
            "--dump-dom", url]  # fmt: skip
    proc = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_docs_settle_after_a_commit_for_the_whole_catalog(documented: RepoBuilder, cli: Cli):
    before = {c["id"]: c["next"] for c in cli.json("status")["components"]}
    cli("docs")
    documented.commit("docs: regenerate the template docs")
    cli("docs", "--check")  # the docs commit is not an unreleased change of any template
    assert {c["id"]: c["next"] for c in cli.json("status")["components"]} == before
    cli("docs", "web")
    cli("docs", "--check", "web")


def test_a_fix_carrying_regenerated_docs_releases_only_its_template(
    documented: RepoBuilder, cli: Cli
):
    cli("release")
    cli("docs")
    documented.write({"templates/api/body.yaml.j2": "service: {{ name }}\n"})
    documented.commit("fix(api): rename the key")
    plan = cli.json("plan")
    assert [r["id"] for r in plan["releases"]] == ["api"]


def test_unreleased_lists_what_the_next_version_ships(documented: RepoBuilder, cli: Cli):
    documented.write({"templates/web/body.yaml.j2": "name: {{ name }}\n# tidy\n"})
    documented.commit("chore(web): tidy the body")
    cli("docs", "web")
    readme = (documented.path / "templates/web/README.md").read_text()
    assert "render the region" in readme
    assert "tidy the body" not in readme


def test_a_warm_docs_run_parses_no_old_release(
    documented: RepoBuilder, cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    from gitops_templates.docs import data

    cli("docs")
    first = (documented.path / "templates/web/README.md").read_text()

    def no_parse(*_: object) -> None:
        raise AssertionError("an old template.yaml was parsed again")

    monkeypatch.setattr(data, "_names_of", no_parse)
    cli("docs", "--check")
    assert (documented.path / "templates/web/README.md").read_text() == first
    assert "| region |" in first or "region" in first


def test_up_to_date_docs_are_checked_without_a_parse_or_render(
    documented: RepoBuilder, cli: Cli, monkeypatch: pytest.MonkeyPatch
):
    from gitops_templates.docs import generate

    cli("docs")

    def fail(*_: object) -> None:
        raise AssertionError("parsed or rendered although nothing changed")

    monkeypatch.setattr(generate, "_metadata", fail)
    monkeypatch.setattr(generate, "_renderer", fail)
    report = cli.json("docs", "--check")
    assert {f["status"] for f in report["files"]} == {"unchanged"}
    assert len(report["files"]) == 3


@pytest.mark.parametrize("change", ["edit-readme", "new-commit", "release", "override"])
def test_whatever_the_docs_depend_on_makes_them_stale_again(
    documented: RepoBuilder, cli: Cli, change: str
):
    cli("docs")
    readme = documented.path / "templates/web/README.md"
    if change == "edit-readme":
        readme.write_text(readme.read_text().replace("Where it runs", "Where it walks"))
    elif change == "new-commit":
        documented.write({"templates/web/body.yaml.j2": "name: {{ name }}!\n"})
        documented.commit("feat(web): louder")
    elif change == "release":
        cli("release")
    else:
        documented.write({"gitops-templates.yaml": "docs: {templates_dir: over}\n",
                          "over/template.md.j2": "{{ t.id }} only\n"})  # fmt: skip
    report = cli.json("docs", "--check", code=1)
    assert "templates/web/README.md" in {
        f["path"] for f in report["files"] if f["status"] == "stale"
    }
