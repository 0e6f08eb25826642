ALTER TABLE enrollment_grants RENAME TO enrolment_grants;
