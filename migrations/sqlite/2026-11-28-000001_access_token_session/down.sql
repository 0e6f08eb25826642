DROP INDEX access_tokens_session;
ALTER TABLE access_tokens DROP COLUMN session_id;
