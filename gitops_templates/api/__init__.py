"""The Python API, one part per capability, joined in `Catalog`."""

from __future__ import annotations

from gitops_templates.api.catalog import Catalog

__all__ = ["Catalog"]
