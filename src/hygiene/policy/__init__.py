"""Rotation policy: pure decisions about due dates and reminder stages."""
