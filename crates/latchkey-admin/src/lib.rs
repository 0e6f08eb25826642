#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod access;
pub mod approvals;
pub mod audit;
pub mod audit_export;
pub mod audit_filter;
pub mod branding;
pub mod charts;
pub mod client_presentation;
pub mod clients;
pub mod clients_views;
pub mod dashboard;
pub mod error;
pub mod keys;
pub mod policies;
pub mod policy_forms;
pub mod policy_views;
pub mod recovery_policies;
pub mod request_views;
pub mod settings;
pub mod user_changes;
pub mod users;
pub mod views;

use actix_web::web;
use latchkey_recovery::GuardedActions;

/// Mounts the console under `/admin`. The guarded-action engine is the
/// console's own application data; everything else (sessions, accounts,
/// CSRF, error pages) is the public site's `AppState` and middleware.
pub fn routes(engine: GuardedActions) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(
            web::scope("/admin")
                .wrap(actix_web::middleware::from_fn(error::localise_refusals))
                .app_data(web::Data::new(engine))
                .service(approvals::get_console)
                .service(approvals::get_approvals)
                .service(approvals::get_approval)
                .service(approvals::post_approval_ceremony)
                .service(approvals::post_approve)
                .service(approvals::post_deny)
                .service(approvals::post_oob)
                .service(audit::get_audit)
                .service(audit::get_export)
                .service(audit::post_verify)
                .service(users::get_users)
                .service(users::post_invite)
                .service(users::get_user)
                .service(users::post_disable)
                .service(user_changes::post_grant_role)
                .service(user_changes::post_end_session)
                .service(user_changes::post_change_tier)
                .service(user_changes::post_enable)
                .service(user_changes::post_group)
                .service(clients::get_clients)
                .service(clients::post_create)
                .service(clients::get_client)
                .service(clients::post_update)
                .service(clients::post_rotate)
                .service(clients::post_disable)
                .service(clients::post_enable)
                .service(client_presentation::post_presentation)
                .service(dashboard::get_dashboard)
                .service(keys::get_keys)
                .service(keys::post_rotate)
                .service(branding::get_branding)
                .service(branding::post_branding)
                .service(settings::get_settings)
                .service(settings::post_self_signup)
                .service(settings::post_refresh_lifetime)
                .service(policies::get_policies)
                .service(policy_forms::post_preview)
                .service(policy_forms::post_save)
                .service(policy_forms::get_report_csv)
                .service(policy_forms::post_target)
                .service(policies::get_policy)
                .service(recovery_policies::get_policies)
                .service(recovery_policies::get_policy)
                .service(recovery_policies::post_policy),
        );
    }
}
