"""GitHub integration: the workflows and pre-commit files `init` scaffolds."""
