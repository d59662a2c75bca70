"""Governed changes: plan, approve, execute, verify and roll back the seven actions."""
