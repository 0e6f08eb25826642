//! End-to-end tests: the whole server on port 0, driven over HTTP.
//! One binary; a module per capability.

mod account;
mod account_pages;
mod approvals;
mod attestation;
mod bad_input;
mod bad_input_corpus;
mod branding;
mod client_logos;
mod console_audit;
mod console_clients;
mod console_dashboard;
mod console_forms;
mod console_groups;
mod console_keys;
mod console_languages;
mod console_policies;
mod console_policy_edits;
mod console_recovery_policies;
mod console_request_ids;
mod console_sessions;
mod console_settings;
mod console_user_changes;
mod console_users;
mod email_change;
mod guarded_changes;
mod health;
mod languages;
mod not_found;
mod oidc;
mod passkeys;
mod people;
mod readiness;
mod recovery;
mod return_to;
mod support;
