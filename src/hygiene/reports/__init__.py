"""Compliance aggregates (SQL) and their charts (server-side SVG)."""
