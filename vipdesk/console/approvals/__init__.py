"""The approval queue (issue 15 §2)."""
