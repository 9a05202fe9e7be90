"""Console users (IT admins, security officers), their API tokens, and web sessions."""
