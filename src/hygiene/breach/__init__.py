"""Offline breached-password check: an index built from a Pwned Passwords file, and the NIST
SP 800-63B-4 context-word rules, evaluated in memory only."""
