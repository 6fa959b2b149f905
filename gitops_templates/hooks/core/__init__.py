"""Commit-message lint rules and the ref updates of a push, parsed. Pure."""
