"""The tamper-evident compliance log: append-only, hash-chained."""
