"""`python -m gitops_templates`."""

from gitops_templates.cli import run

run(prog_name="gitops-templates")  # completion: _GITOPS_TEMPLATES_COMPLETE
