DROP TABLE recovery_policies;
