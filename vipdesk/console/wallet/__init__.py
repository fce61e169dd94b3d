"""Stored value at HQ: the policy and top-up bonus rules, a member's limit and PIN (R6, issue 4 §5)."""
