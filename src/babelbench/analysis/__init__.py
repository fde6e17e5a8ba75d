"""Statistics over stored results: bootstrap intervals (scaling-law fits come later)."""
