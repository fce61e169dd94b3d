"""Arrival recognition in the console (issue 19 §1): the desk page (report an arrival, who is on
duty, today's arrivals of one's stores), the live notice stream and the notice buttons."""
