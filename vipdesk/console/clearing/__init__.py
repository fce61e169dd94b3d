"""Cross-franchisee clearing statements and the points liability (R5.5, R8.4)."""
