"""`python -m gitops_templates`."""

from gitops_templates.cli.app import main

main(prog_name="gitops-templates")  # completion: _GITOPS_TEMPLATES_COMPLETE
