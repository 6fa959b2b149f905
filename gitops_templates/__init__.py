"""gitops-templates: a Git-native lifecycle for catalogs of Jinja2 templates.

>>> from gitops_templates import Catalog
>>> plan = Catalog("path/to/catalog").plan()

Names are imported on first use so that `import gitops_templates` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Catalog", "ExitCode", "GitOpsTemplatesError", "__version__"]

if TYPE_CHECKING:
    from gitops_templates.api import Catalog
    from gitops_templates.errors import ExitCode, GitOpsTemplatesError


def __getattr__(name: str) -> Any:
    if name == "Catalog":
        from gitops_templates.api import Catalog

        return Catalog
    if name in ("ExitCode", "GitOpsTemplatesError"):
        from gitops_templates import errors

        return getattr(errors, name)
    raise AttributeError(name)
