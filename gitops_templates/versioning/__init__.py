"""Versioning: the release plan, atomic releases, `verify`, `history`, `show`, `stats`."""
