"""Delivery channels: small adapters behind one protocol (see base.py), one module each."""
