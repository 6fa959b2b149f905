"""Git hooks: commit-message lint, push checks, hook installation."""
