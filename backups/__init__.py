"""Backup-code pools (issue: Backup code pools)."""
