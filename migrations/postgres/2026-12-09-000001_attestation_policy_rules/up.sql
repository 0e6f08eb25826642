-- The rules of an attestation policy beyond attestation, device binding and
-- the model allowlist: a minimum FIDO certification level (L1 … L3+) and
-- whether models the FIDO metadata reports as compromised are refused.
ALTER TABLE attestation_policies ADD COLUMN min_certification TEXT;
ALTER TABLE attestation_policies ADD COLUMN refuse_compromised BOOLEAN NOT NULL DEFAULT FALSE;
