"""Migrations, pure: operations, paths between versions, pins."""
