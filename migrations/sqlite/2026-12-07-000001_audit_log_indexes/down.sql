DROP INDEX audit_events_subject;
DROP INDEX audit_events_actor;
