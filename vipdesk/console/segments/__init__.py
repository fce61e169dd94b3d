"""Saved segments and the classification settings (issue 5, R8.1, R8.2)."""
