"""Rollback and roll-forward: revert-and-tag plans, their checks, their execution."""
