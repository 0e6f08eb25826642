-- Authenticator models from an imported FIDO metadata (MDS3) blob. An
-- import replaces every row at once; the table held nothing before (no
-- import existed), so it is recreated rather than altered.
DROP TABLE authenticator_metadata;
CREATE TABLE authenticator_metadata (
    aaguid TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL,
    authenticator_version BIGINT,
    -- JSON array of keyProtection values ("hardware", "secure_element", …).
    key_protection TEXT NOT NULL,
    -- JSON array of base64 DER attestation root certificates.
    attestation_roots TEXT NOT NULL,
    -- "L1", "L1+", … "L3+", from the latest FIDO_CERTIFIED status report.
    certification_level TEXT,
    -- JSON array of {"status", "effectiveDate"} as published.
    status_reports TEXT NOT NULL,
    blob_serial BIGINT NOT NULL,
    next_update TIMESTAMP NOT NULL,
    imported_at TIMESTAMP NOT NULL
);

-- The last imported blob (a single row, id 1): its serial only grows.
CREATE TABLE metadata_blob (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    serial BIGINT NOT NULL,
    next_update TIMESTAMP NOT NULL,
    entries BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_at TIMESTAMP NOT NULL
);
