-- The guarded-action engine: the policy a request was made under (a JSON
-- snapshot, so changing the configuration never changes a request in flight),
-- a version for optimistic concurrency, and explicit timestamps for the
-- expired and locked states.
ALTER TABLE guarded_actions ADD COLUMN policy TEXT NOT NULL DEFAULT '{}';
ALTER TABLE guarded_actions ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE guarded_actions ADD COLUMN expired_at TIMESTAMP;
ALTER TABLE guarded_actions ADD COLUMN locked_at TIMESTAMP;
-- The background job looks for open requests whose delay or lifetime ran out.
CREATE INDEX guarded_actions_due ON guarded_actions (state, expires_at);
-- The passkey an approver decided with.
ALTER TABLE approvals ADD COLUMN credential_id TEXT;
-- One out-of-band check per request.
CREATE UNIQUE INDEX oob_verifications_action ON oob_verifications (action_id);
