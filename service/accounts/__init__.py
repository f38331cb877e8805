"""Accounts, roles, login sessions and object-level authorisation (OWASP API1)."""
