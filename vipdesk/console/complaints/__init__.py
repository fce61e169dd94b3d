"""Complaints: list, file, and one complaint with its log and moves (R9.4)."""
