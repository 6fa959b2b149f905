"""`python -m gitops_templates`."""

from gitops_templates.cli.app import main

main()
