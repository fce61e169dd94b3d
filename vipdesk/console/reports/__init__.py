"""The report page and its XLSX/PDF exports (R8.4, R8.6)."""
