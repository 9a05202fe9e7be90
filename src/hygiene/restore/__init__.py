"""Restores that do not resend: a backup marks itself, and a service that finds itself running on
a restored database holds the messages that were waiting at backup time (hygiene.restore.service).
"""
