"""A store's monthly performance and days-worked entry (R10.3, R10.4)."""
