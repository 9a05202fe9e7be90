"""Restores that do not resend: a backup marks itself (restore.marking), and a service that finds
itself running on a restored database holds the messages that were waiting at backup time
(restore.notice, called by the delivery loop through the check bootstrap's callers pass in); a
person then releases or cancels them (restore.decisions).
"""
