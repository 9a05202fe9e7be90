"""Leaked-credential intake: lists of leaked emails, phones or logins from the police or a CERT,
matched against the inventory; each matched account is forced to rotate now."""
