-- Access tokens are no longer recorded when they are issued: what is
-- remembered is each revocation, keyed by what a token carries (its jti,
-- sid, refresh family or code grant) or by a client, user or user+client
-- with a cut-off time (every token issued up to it). A record is needed only
-- while a token it matches can still be alive, and is deleted after that.
DROP TABLE access_tokens;
CREATE TABLE token_revocations (
    id TEXT PRIMARY KEY NOT NULL,
    revoked_key TEXT NOT NULL,
    issued_up_to TIMESTAMP,
    keep_until TIMESTAMP NOT NULL
);
CREATE INDEX token_revocations_key ON token_revocations (revoked_key);
CREATE INDEX token_revocations_keep ON token_revocations (keep_until);
