ALTER TABLE attestation_policies DROP COLUMN refuse_compromised;
ALTER TABLE attestation_policies DROP COLUMN min_certification;
