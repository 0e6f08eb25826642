-- OpenID Connect sessions (sid) ended on purpose: an authorization code
-- issued in one and not yet redeemed is refused. Kept as long as such a code
-- can live.
CREATE TABLE ended_sessions (
    sid TEXT PRIMARY KEY NOT NULL,
    ended_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX ended_sessions_expiry ON ended_sessions (expires_at);
