DROP TABLE metadata_blob;
DROP TABLE authenticator_metadata;
CREATE TABLE authenticator_metadata (
    aaguid TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT,
    statement_json TEXT,
    updated_at TIMESTAMP NOT NULL
);
