-- Latchkey schema, portable subset: TEXT ids (UUIDs as text), BIGINT counters,
-- BOOLEAN flags, binary digests, TIMESTAMP in UTC (microseconds).
-- The PostgreSQL migration of the same name uses BYTEA where this one uses BLOB.

CREATE TABLE instance_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT UNIQUE,
    email_verified_at TIMESTAMP,
    tier TEXT NOT NULL DEFAULT 'standard',
    tier_pinned BOOLEAN NOT NULL DEFAULT FALSE,
    passkey_only BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE groups (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    tier TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE user_roles (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    granted_by TEXT,
    PRIMARY KEY (user_id, role)
);

CREATE TABLE credentials (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    webauthn_id BLOB NOT NULL UNIQUE,
    label TEXT NOT NULL,
    passkey_json TEXT NOT NULL,
    aaguid TEXT,
    backup_eligible BOOLEAN NOT NULL,
    backup_state BOOLEAN NOT NULL,
    attested BOOLEAN NOT NULL,
    attestation_format TEXT,
    attestation_json TEXT,
    sign_count BIGINT NOT NULL DEFAULT 0,
    clone_suspected_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX credentials_user ON credentials (user_id);

CREATE TABLE recovery_codes (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    batch_id TEXT NOT NULL,
    code_hash BLOB NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL,
    token_hash BLOB NOT NULL UNIQUE,
    grants_admin BOOLEAN NOT NULL,
    invited_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    accepted_user_id TEXT REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE clients (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    secret_hash BLOB,
    auth_method TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    min_acr TEXT,
    first_party BOOLEAN NOT NULL,
    id_token_alg TEXT NOT NULL DEFAULT 'ES256',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);

CREATE TABLE consents (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    granted_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

CREATE TABLE refresh_token_families (
    id TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id TEXT,
    scope TEXT NOT NULL,
    acr TEXT NOT NULL,
    amr TEXT NOT NULL,
    auth_time TIMESTAMP NOT NULL,
    generation BIGINT NOT NULL,
    current_token_hash BLOB NOT NULL UNIQUE,
    code_hash BLOB,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    revoked_reason TEXT
);
CREATE INDEX refresh_families_user ON refresh_token_families (user_id);
CREATE INDEX refresh_families_session ON refresh_token_families (session_id);

CREATE TABLE refresh_tokens_used (
    token_hash BLOB PRIMARY KEY NOT NULL,
    family_id TEXT NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
    generation BIGINT NOT NULL,
    used_at TIMESTAMP NOT NULL
);

CREATE TABLE access_tokens (
    jti TEXT PRIMARY KEY NOT NULL,
    client_id TEXT NOT NULL,
    user_id TEXT,
    family_id TEXT,
    code_hash BLOB,
    scope TEXT NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX access_tokens_code ON access_tokens (code_hash);
CREATE INDEX access_tokens_family ON access_tokens (family_id);

CREATE TABLE signing_keys (
    id TEXT PRIMARY KEY NOT NULL,
    alg TEXT NOT NULL,
    state TEXT NOT NULL,
    public_jwk TEXT NOT NULL,
    private_key_sealed BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    activated_at TIMESTAMP,
    retired_at TIMESTAMP,
    publish_until TIMESTAMP
);

CREATE TABLE attestation_policies (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    attestation TEXT NOT NULL,
    require_device_bound BOOLEAN NOT NULL,
    require_uv BOOLEAN NOT NULL,
    aaguid_allowlist TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE policy_assignments (
    id TEXT PRIMARY KEY NOT NULL,
    policy_id TEXT NOT NULL REFERENCES attestation_policies (id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (target_kind, target_id)
);

CREATE TABLE authenticator_metadata (
    aaguid TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT,
    statement_json TEXT,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE guarded_actions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    state TEXT NOT NULL,
    tier TEXT NOT NULL,
    requested_by TEXT,
    requester_session TEXT,
    payload TEXT NOT NULL,
    factors_required BIGINT NOT NULL,
    approvals_required BIGINT NOT NULL,
    oob_required BOOLEAN NOT NULL,
    delay_seconds BIGINT NOT NULL,
    failed_attempts BIGINT NOT NULL DEFAULT 0,
    cancel_token_hash BLOB UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    eligible_at TIMESTAMP,
    expires_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    denied_at TIMESTAMP
);
CREATE INDEX guarded_actions_user ON guarded_actions (user_id);
CREATE INDEX guarded_actions_state ON guarded_actions (state);

CREATE TABLE guarded_action_factors (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES guarded_actions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    verified_at TIMESTAMP NOT NULL,
    UNIQUE (action_id, kind)
);

CREATE TABLE approvals (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES guarded_actions (id) ON DELETE CASCADE,
    admin_user_id TEXT NOT NULL REFERENCES users (id),
    decision TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    user_verified_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (action_id, admin_user_id)
);

CREATE TABLE oob_verifications (
    id TEXT PRIMARY KEY NOT NULL,
    action_id TEXT NOT NULL REFERENCES guarded_actions (id) ON DELETE CASCADE,
    admin_user_id TEXT NOT NULL REFERENCES users (id),
    method TEXT NOT NULL,
    evidence TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE enrollment_grants (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    action_id TEXT REFERENCES guarded_actions (id) ON DELETE CASCADE,
    token_hash BLOB NOT NULL UNIQUE,
    session_binding BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    available_at TIMESTAMP NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    locked_until TIMESTAMP,
    locked_by TEXT,
    delivered_at TIMESTAMP
);
CREATE INDEX outbox_pending ON outbox (delivered_at, available_at);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY NOT NULL,
    id TEXT NOT NULL UNIQUE,
    occurred_at TIMESTAMP NOT NULL,
    kind TEXT NOT NULL,
    actor TEXT,
    subject TEXT,
    ip TEXT,
    detail TEXT NOT NULL,
    prev_hash BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX audit_events_kind ON audit_events (kind, occurred_at);

-- Session store, SQL backend (the embedded default; Redis replaces these).
CREATE TABLE browser_sessions (
    id_hash BLOB PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    idle_expires_at TIMESTAMP NOT NULL,
    absolute_expires_at TIMESTAMP NOT NULL
);
CREATE INDEX browser_sessions_user ON browser_sessions (user_id);
CREATE INDEX browser_sessions_expiry ON browser_sessions (idle_expires_at);

CREATE TABLE ephemeral_values (
    key TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX ephemeral_values_expiry ON ephemeral_values (expires_at);

CREATE TABLE rate_counters (
    key TEXT PRIMARY KEY NOT NULL,
    count BIGINT NOT NULL,
    window_ends_at TIMESTAMP NOT NULL
);
CREATE INDEX rate_counters_expiry ON rate_counters (window_ends_at);
