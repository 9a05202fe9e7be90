"""Units, officials and their accounts: what to remind about, never a password."""
