-- How an application presents itself to people (OpenID Connect Dynamic
-- Client Registration §2 metadata, set by an administrator): its home page,
-- privacy policy and terms (absolute https URLs, shown as links), and its
-- logo, fetched once from logo_uri when it is set and stored here so that
-- pages serve it from this origin and never hot-link it.
CREATE TABLE client_presentations (
    client_id TEXT PRIMARY KEY NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    client_uri TEXT,
    policy_uri TEXT,
    tos_uri TEXT,
    logo_uri TEXT,
    logo_type TEXT,
    logo BLOB,
    updated_at TIMESTAMP NOT NULL
);
