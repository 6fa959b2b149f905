"""State shared by the commands of one invocation (opened lazily)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from gitops_templates.api import Catalog


@dataclass
class AppContext:
    """Global options; `catalog` opens nothing until first used."""

    repo_path: str  # paths stay strings here: pathlib is not needed for --help
    config_path: str | None
    debug: bool = False
    use_cache: bool = True
    _catalog: Catalog | None = field(default=None, repr=False)

    @property
    def catalog(self) -> Catalog:
        """The catalog at `--repo`."""
        if self._catalog is None:
            import sys

            from gitops_templates.api import Catalog
            from gitops_templates.cli._output import Progress

            progress = Progress() if sys.stderr.isatty() else None
            self._catalog = Catalog(
                self.repo_path, config=self.config_path, use_cache=self.use_cache,
                progress=progress,
            )  # fmt: skip
        return self._catalog


pass_app = click.make_pass_decorator(AppContext)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
