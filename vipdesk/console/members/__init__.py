"""The member file in the console: search, the 360° page, create/edit, consents, withdrawal, cards, import and export (R1, R2)."""
