"""Rollback figures computed from tag trailers alone. Pure."""
