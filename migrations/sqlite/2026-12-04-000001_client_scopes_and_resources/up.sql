-- What a client may ask for: its allowed scopes and its allowed resources
-- (RFC 8707 resource indicators, absolute URIs), each a JSON array of exact
-- strings. Clients registered before this change keep what they could use
-- through the authorization endpoint, the OpenID Connect scopes, and no
-- resource: their access tokens keep the default audience, and
-- client_credentials no longer grants them any scope (it granted every one).
ALTER TABLE clients ADD COLUMN allowed_scopes TEXT NOT NULL DEFAULT '["openid","profile","email","offline_access"]';
ALTER TABLE clients ADD COLUMN allowed_resources TEXT NOT NULL DEFAULT '[]';
-- The resources a refresh-token family's grant covers (a JSON array; empty:
-- the default audience): a refresh may narrow them, never widen them.
ALTER TABLE refresh_token_families ADD COLUMN resources TEXT NOT NULL DEFAULT '[]';
