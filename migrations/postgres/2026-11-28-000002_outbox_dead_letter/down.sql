ALTER TABLE outbox DROP COLUMN dead_at;
