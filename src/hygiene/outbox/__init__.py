"""The outbox: planned messages, their leased claims, retries and every delivery attempt."""
