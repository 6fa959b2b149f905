"""Compatibility: schema diffs, the check `plan`/`release`/`verify` apply, the policy, `diff`."""
