"""Acknowledgement codes: what an official types (or replies) to confirm they acted."""
