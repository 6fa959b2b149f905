"""Documentation: READMEs, the catalog index and the HTML site, rendered by Jinja2."""
