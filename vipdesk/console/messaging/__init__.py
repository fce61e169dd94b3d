"""Messaging: message templates (HQ) and the outbox (issue 6 §3)."""
