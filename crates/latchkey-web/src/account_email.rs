//! Verifying the account's e-mail address: the account page asks for a
//! link (`Accounts::send_email_verification`); the link's page shows a
//! button and only its POST verifies (`Accounts::verify_email`), so a mail
//! scanner that fetches the link verifies nothing. The token travels in the
//! URL fragment, as in the other links of notices (`recover_links.rs`).

use actix_web::http::StatusCode;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_accounts::{AccountsError, EmailVerification};
use serde::Deserialize;

use crate::csrf::{self, CsrfForm};
use crate::error::WebError;
use crate::recover::{RECOVERY_PROOFS_PER_IP, limit};
use crate::recover_links::render;
use crate::session::MaybeSignedIn;
use crate::state::AppState;
use crate::views::{Chrome, RecoveryLinkPage};

async fn verify_page(req: &HttpRequest, done: Option<&str>, error: bool) -> RecoveryLinkPage {
    let chrome = Chrome::of(req).await;
    RecoveryLinkPage {
        kind: "verify",
        action: "/email/verify",
        heading: chrome.t("recovery-link-verify-heading"),
        intro: chrome.t("recovery-link-verify-intro"),
        button: chrome.t("recovery-link-verify-button"),
        done: done.map(|d| chrome.t(d)),
        error,
        chrome,
    }
}

/// Mails a verification link to the signed-in account's address.
#[post("/account/email/verification")]
pub async fn post_send_verification(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| WebError::SignInRequired {
        next: "/account".into(),
    })?;
    let to = match state
        .accounts
        .send_email_verification(&me, &crate::client::info(&req))
        .await?
    {
        EmailVerification::Sent => "/account?done=email-sent",
        EmailVerification::AlreadyVerified => "/account?done=email-verified",
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish())
}

#[derive(Debug, Deserialize)]
pub struct ChangeForm {
    csrf: String,
    email: String,
}

/// Asks to change the signed-in account's address (a guarded request with
/// the tier's delay; `Accounts::request_email_change`). A refusal comes back
/// as a fixed message on the account page: nothing typed is echoed.
#[post("/account/email")]
pub async fn post_change(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| WebError::SignInRequired {
        next: "/account".into(),
    })?;
    let to = match state
        .accounts
        .request_email_change(&me, &form.email, &crate::client::info(&req))
        .await
    {
        Ok(_) => "/account?done=email-change-pending",
        Err(AccountsError::InvalidInput { code, .. }) => match code {
            "same_email" => "/account?done=email-same",
            "email_taken" => "/account?done=email-taken",
            "email_change_waiting" => "/account?done=email-change-waiting",
            _ => "/account?done=email-invalid",
        },
        Err(e) => return Err(e.into()),
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish())
}

#[get("/email/verify")]
pub async fn get_verify(req: HttpRequest) -> HttpResponse {
    render(StatusCode::OK, &verify_page(&req, None, false).await)
}

#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    csrf: String,
    token: String,
}

/// Verifies the address the link was sent to; the link works once.
#[post("/email/verify")]
pub async fn post_verify(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<VerifyForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    limit(&state, RECOVERY_PROOFS_PER_IP, &req).await?;
    Ok(
        match state
            .accounts
            .verify_email(&form.token, &crate::client::info(&req))
            .await
        {
            Ok(()) => render(
                StatusCode::OK,
                &verify_page(&req, Some("recovery-link-verified"), false).await,
            ),
            Err(AccountsError::InvalidInput { message, .. }) => {
                let mut page = verify_page(&req, None, true).await;
                page.done = Some(message.to_owned());
                render(StatusCode::CONFLICT, &page)
            }
            Err(e) => return Err(e.into()),
        },
    )
}
