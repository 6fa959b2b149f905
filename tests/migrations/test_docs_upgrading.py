"""The generated docs show each version's migrations ("Upgrading to 2.0.0 (from 1.x)")."""

from __future__ import annotations

from tests.conftest import Cli
from tests.helpers import RepoBuilder


def test_readme_lists_each_migration_and_what_going_down_loses(catalog: RepoBuilder, cli: Cli):
    cli("docs", "alerts")
    readme = (catalog.path / "templates/alerts/README.md").read_text()
    section = readme[readme.index("## Upgrading") :]
    assert "### Upgrading to 2.0.0 (from 1.x)\n\nlimit renamed to max\\_alerts\n" in section
    assert "- `rename /limit to /max_alerts`" in section
    assert "### Upgrading to 3.0.0 (from 2.x)" in section
    assert '- `set /channel to "email" when absent`' in section
    assert "loses values" not in section  # both steps can be undone
    cli("docs", "alerts", "--format", "html")
