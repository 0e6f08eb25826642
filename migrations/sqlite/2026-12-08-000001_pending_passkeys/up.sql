-- A passkey registered in a live session of an elevated or critical account
-- is stored at once but stays pending until its guarded add_passkey request
-- completes: `pending_action_id` names that request. A pending passkey is
-- never active: sign-in, step-up and approvals ignore it.
ALTER TABLE credentials ADD COLUMN pending_action_id TEXT;
CREATE INDEX credentials_pending_action ON credentials (pending_action_id);
