"""The pure core every capability shares.

Models, commit parsing, version rules, tags, changelogs, planning. No IO: no
subprocess, files, git, click, YAML or Jinja2.
"""
