-- The console's audit log filters by actor and by subject (newest first, by
-- sequence); without these a filtered page scans the whole log.
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);
