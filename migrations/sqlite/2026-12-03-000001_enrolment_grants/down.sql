ALTER TABLE enrolment_grants RENAME TO enrollment_grants;
