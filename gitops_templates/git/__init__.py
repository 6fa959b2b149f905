"""The Git adapter and the caches that hold only facts about Git objects.

Only this package imports GitPython; caches live under `.git/gitops-templates/`.
"""
