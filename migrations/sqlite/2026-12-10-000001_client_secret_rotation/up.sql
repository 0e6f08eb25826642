-- A rotated client secret: the previous one is still accepted until
-- previous_secret_expires_at, so a relying party can roll its configuration
-- without downtime. Both NULL when there is no overlap.
ALTER TABLE clients ADD COLUMN previous_secret_hash BLOB;
ALTER TABLE clients ADD COLUMN previous_secret_expires_at TIMESTAMP;
