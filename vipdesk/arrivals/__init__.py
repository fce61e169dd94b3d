"""Arrival recognition (issue 19 §1, R12.1): a device or a clerk reports that someone came in; the
member is recognised and a live notice is pushed to whoever should greet them."""
