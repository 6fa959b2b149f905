"""`python -m gitops_templates`."""

from gitops_templates.cli import main

main()
