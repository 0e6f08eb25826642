-- Sign-ins per day, rolled up from the audit log so the console's dashboard
-- reads a few hundred rows however many sign-ins were recorded.
-- metric: 'sign_in.succeeded' (key: the flow) or 'sign_in.failed' (key: the
-- reason); day: YYYY-MM-DD in UTC.
CREATE TABLE daily_counts (
    day TEXT NOT NULL,
    metric TEXT NOT NULL,
    key TEXT NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (day, metric, key)
);

-- How far each roll-up has read the audit log (its last sequence number).
CREATE TABLE rollup_cursors (
    name TEXT PRIMARY KEY NOT NULL,
    seq BIGINT NOT NULL
);
INSERT INTO rollup_cursors (name, seq) VALUES ('daily_counts', 0);
