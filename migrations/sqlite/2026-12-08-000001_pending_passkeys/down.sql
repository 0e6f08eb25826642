DROP INDEX credentials_pending_action;
DELETE FROM credentials WHERE pending_action_id IS NOT NULL;
ALTER TABLE credentials DROP COLUMN pending_action_id;
