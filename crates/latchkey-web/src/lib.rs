#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod account;
pub mod account_email;
pub mod account_language;
pub mod account_requests;
pub mod branding;
pub mod ceremony;
pub mod chrome;
pub mod client;
pub mod cookies;
pub mod csrf;
pub mod device;
pub mod enrol;
pub mod error;
pub mod error_text;
pub mod health;
pub mod metrics;
pub mod middleware;
pub mod oidc;
pub mod pages;
pub mod policy_text;
pub mod proxies;
pub mod ratelimit;
pub mod recover;
pub mod recover_enrol;
pub mod recover_links;
pub mod recover_state;
pub mod return_to;
pub mod scopes;
pub mod session;
pub mod signin;
pub mod state;
pub mod views;

pub use error::WebError;
pub use metrics::Metrics;
pub use state::AppState;

use actix_web::web;

/// Limits on request bodies: JSON and forms are small in this protocol.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Registers every public route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(MAX_BODY_BYTES)
            .error_handler(error::json_error_handler),
    )
    .app_data(
        web::FormConfig::default()
            .limit(MAX_BODY_BYTES)
            .error_handler(error::form_error_handler),
    )
    .app_data(web::QueryConfig::default().error_handler(error::query_error_handler))
    .app_data(web::PathConfig::default().error_handler(error::path_error_handler))
    // The protocol's machine-to-machine endpoints first: a request is
    // matched against the routes in this order (and again for its metrics
    // label), and every route before a hot one costs each of its requests.
    .service(oidc::token::post_token)
    .service(oidc::resources::get_discovery)
    .service(oidc::resources::get_jwks)
    .service(oidc::resources::userinfo)
    .service(oidc::resources::userinfo_preflight)
    .service(oidc::resources::post_revoke)
    .service(oidc::resources::post_introspect)
    .service(health::get_healthz)
    .service(health::get_readyz)
    .service(health::get_metrics)
    .service(pages::get_home)
    .service(pages::get_static)
    .service(branding::get_logo)
    .service(branding::get_stylesheet)
    .service(branding::get_client_logo)
    .service(signin::get_signin)
    .service(signin::post_signin_options)
    .service(signin::post_signin_finish)
    .service(signin::post_signout)
    .service(signin::get_stepup)
    .service(signin::post_stepup_options)
    .service(signin::post_stepup_finish)
    .service(enrol::get_bootstrap)
    .service(enrol::get_invitation)
    .service(enrol::get_signup)
    .service(enrol::post_enrol_options)
    .service(enrol::post_enrol_finish)
    .service(account::get_account)
    .service(account::get_onboarding)
    .service(account::get_passkey_here)
    .service(account::post_add_passkey_options)
    .service(account::post_add_passkey_finish)
    .service(account::post_rename_passkey)
    .service(account::post_revoke_passkey)
    .service(account::post_clear_clone_flag)
    .service(account::post_recovery_codes)
    .service(account::post_revoke_other_sessions)
    .service(account::post_end_session)
    .service(oidc::authorize::get_authorize)
    .service(oidc::authorize::get_authorize_continue)
    .service(oidc::policy::get_authorize_passkey)
    .service(oidc::policy::post_authorize_passkey_options)
    .service(oidc::policy::post_authorize_passkey_finish)
    .service(oidc::authorize::post_authorize_consent)
    .service(oidc::logout::get_logout)
    .service(oidc::logout::post_logout)
    .service(account::post_revoke_consent)
    .service(account_requests::post_cancel_request)
    .service(account_requests::post_collect_codes)
    .service(account_language::post_language)
    .service(account_email::post_send_verification)
    .service(account_email::post_change)
    .service(account_email::get_verify)
    .service(account_email::post_verify)
    .service(recover::get_recover)
    .service(recover::post_recover)
    .service(recover::get_factor)
    .service(recover::post_code)
    .service(recover::post_email)
    .service(recover::get_status)
    .service(recover::post_complete)
    .service(recover_enrol::get_enrol)
    .service(recover_enrol::post_enrol_options)
    .service(recover_enrol::post_enrol_finish)
    .service(recover_links::get_cancel)
    .service(recover_links::post_cancel)
    .service(recover_links::get_email_link)
    .service(recover_links::post_email_link)
    .default_service(web::to(error::not_found));
}
