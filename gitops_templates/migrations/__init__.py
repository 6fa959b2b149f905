"""Migrations of consumers' values across template versions: plan, upgrade, check-update."""
