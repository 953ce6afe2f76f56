"""Reservations and their guest codes (issue: Reservations drive guest codes)."""
