DROP INDEX oob_verifications_action;
ALTER TABLE approvals DROP COLUMN credential_id;
DROP INDEX guarded_actions_due;
ALTER TABLE guarded_actions DROP COLUMN locked_at;
ALTER TABLE guarded_actions DROP COLUMN expired_at;
ALTER TABLE guarded_actions DROP COLUMN version;
ALTER TABLE guarded_actions DROP COLUMN policy;
