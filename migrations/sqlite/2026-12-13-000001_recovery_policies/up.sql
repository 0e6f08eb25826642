-- The guarded-action policies in force on this instance, one row per tier
-- and action (the policy as JSON, as `latchkey_recovery::Policy` writes it).
-- Filled from the built-in defaults and the configuration file on the first
-- start; afterwards the configuration file can only tighten a row, and
-- relaxing one is itself a guarded request.
CREATE TABLE recovery_policies (
    tier TEXT NOT NULL,
    action TEXT NOT NULL,
    policy TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (tier, action)
);
