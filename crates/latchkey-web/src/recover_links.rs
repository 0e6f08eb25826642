//! The links of notices: the one-click cancel link and the e-mail proof of
//! a recovery. Each token travels in the URL's fragment, which browsers
//! send to nobody (not in requests, not in `Referer`); the page's script
//! moves it into the form and off the address bar. A GET only shows the
//! page, so mail scanners that fetch links change nothing; the POST acts,
//! once.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use latchkey_recovery::EngineError;
use serde::Deserialize;

use crate::csrf;
use crate::error::WebError;
use crate::recover::{RECOVERY_PROOFS_PER_IP, limit, origin, see_other};
use crate::recover_state::{Recovering, sentence};
use crate::state::AppState;
use crate::views::RecoveryLinkPage;

/// A page with `status`. (The site's `Referrer-Policy: same-origin` and the
/// fragment keep tokens out of `Referer`: browsers never put a fragment
/// there.)
pub fn render(status: StatusCode, page: &impl Template) -> HttpResponse {
    match page.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => actix_web::ResponseError::error_response(&WebError::Internal(Box::new(e))),
    }
}

fn cancel_page(req: &HttpRequest, done: Option<String>, error: bool) -> RecoveryLinkPage {
    RecoveryLinkPage {
        csrf: csrf::token(req),
        kind: "cancel",
        action: "/recovery/cancel",
        heading: "Cancel this request",
        intro: "Someone asked to recover or change your account, and this link stops it. Nothing happens until you press the button.",
        button: "Cancel the request",
        done,
        error,
    }
}

fn email_page(req: &HttpRequest, done: Option<String>, error: bool) -> RecoveryLinkPage {
    RecoveryLinkPage {
        csrf: csrf::token(req),
        kind: "email",
        action: "/recovery/email",
        heading: "Confirm it is you",
        intro: "Use this link as proof for the recovery of your account. It works once, and only in the browser where the recovery was started.",
        button: "Use this link",
        done,
        error,
    }
}

#[get("/recovery/cancel")]
pub async fn get_cancel(req: HttpRequest) -> HttpResponse {
    render(StatusCode::OK, &cancel_page(&req, None, false))
}

#[derive(Debug, Deserialize)]
pub struct LinkForm {
    csrf: String,
    token: String,
}

/// Cancels the request the link names; the link works once.
#[post("/recovery/cancel")]
pub async fn post_cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    limit(&state, RECOVERY_PROOFS_PER_IP, &req).await?;
    Ok(
        match state
            .recovery
            .cancel_by_link(&form.token, &origin(&req))
            .await
        {
            Ok(_) => render(
                StatusCode::OK,
                &cancel_page(
                    &req,
                    Some("The request is cancelled. Nothing changed on your account.".into()),
                    false,
                ),
            ),
            Err(EngineError::Refused(r)) => render(
                StatusCode::CONFLICT,
                &cancel_page(&req, Some(sentence(&r)), true),
            ),
            Err(EngineError::Store(e)) => return Err(e.into()),
        },
    )
}

#[get("/recovery/email")]
pub async fn get_email_link(req: HttpRequest) -> HttpResponse {
    render(StatusCode::OK, &email_page(&req, None, false))
}

/// Presents the e-mail link as a proof, from the browser that made the
/// request (the engine checks the binding).
#[post("/recovery/email")]
pub async fn post_email_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LinkForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    limit(&state, RECOVERY_PROOFS_PER_IP, &req).await?;
    let Some(browser) = Recovering::of(&req, &state) else {
        return Ok(render(
            StatusCode::CONFLICT,
            &email_page(
                &req,
                Some("Open this link in the browser where you started the recovery.".into()),
                true,
            ),
        ));
    };
    Ok(
        match state
            .recovery
            .present_email_link(&form.token, &browser.handle, &origin(&req))
            .await
        {
            Ok(_) => see_other("/recover/status"),
            Err(EngineError::Refused(r)) => render(
                StatusCode::CONFLICT,
                &email_page(&req, Some(sentence(&r)), true),
            ),
            Err(EngineError::Store(e)) => return Err(e.into()),
        },
    )
}
