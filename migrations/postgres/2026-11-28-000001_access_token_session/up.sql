-- The browser session (OIDC sid) an access token was issued in, so that
-- ending the session revokes it as well as its refresh tokens.
ALTER TABLE access_tokens ADD COLUMN session_id TEXT;
CREATE INDEX access_tokens_session ON access_tokens (session_id);
