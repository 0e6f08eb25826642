-- A message that can never be delivered (refused for good, or out of attempts)
-- is kept, with its last error, and no longer claimed.
ALTER TABLE outbox ADD COLUMN dead_at TIMESTAMP;
