"""Care: the guide's work list, the team view, ownership, the contact log and the HQ care rules (issue 6)."""
