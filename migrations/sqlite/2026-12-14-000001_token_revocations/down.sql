DROP TABLE token_revocations;
CREATE TABLE access_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT,
    family_id TEXT,
    code_hash BLOB,
    scope TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    session_id TEXT
);
CREATE INDEX access_tokens_code ON access_tokens (code_hash);
CREATE INDEX access_tokens_family ON access_tokens (family_id);
CREATE INDEX access_tokens_session ON access_tokens (session_id);
