"""Campaign planners: each turns (inventory, policy, now) into outbox rows with one set-based
INSERT … SELECT … ON CONFLICT (idempotency_key) DO NOTHING."""
