"""Guest messages by SMS (issue: Guest messages by SMS)."""
