"""Owners and their people: memberships, roles, settings, API keys, in one home."""
