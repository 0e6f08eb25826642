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
use crate::recover_state::Recovering;
use crate::state::AppState;
use crate::views::{Chrome, RecoveryLinkPage};

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

/// What a link page says after its POST: a message of ours, or a refusal.
enum Outcome<'a> {
    Key(&'a str),
    Refusal(latchkey_recovery::Refusal),
}

async fn link_page(
    req: &HttpRequest,
    kind: &'static str,
    done: Option<Outcome<'_>>,
    error: bool,
) -> RecoveryLinkPage {
    let chrome = Chrome::of(req).await;
    let (action, heading, intro, button) = match kind {
        "cancel" => (
            "/recovery/cancel",
            "recovery-link-cancel-heading",
            "recovery-link-cancel-intro",
            "recovery-link-cancel-button",
        ),
        _ => (
            "/recovery/email",
            "recovery-link-email-heading",
            "recovery-link-email-intro",
            "recovery-link-email-button",
        ),
    };
    RecoveryLinkPage {
        kind,
        action,
        heading: chrome.t(heading),
        intro: chrome.t(intro),
        button: chrome.t(button),
        done: done.map(|d| match d {
            Outcome::Key(k) => chrome.t(k),
            Outcome::Refusal(r) => crate::recover_state::sentence_in(chrome.locale, &r),
        }),
        error,
        chrome,
    }
}

async fn cancel_page(
    req: &HttpRequest,
    done: Option<Outcome<'_>>,
    error: bool,
) -> RecoveryLinkPage {
    link_page(req, "cancel", done, error).await
}

async fn email_page(req: &HttpRequest, done: Option<Outcome<'_>>, error: bool) -> RecoveryLinkPage {
    link_page(req, "email", done, error).await
}

#[get("/recovery/cancel")]
pub async fn get_cancel(req: HttpRequest) -> HttpResponse {
    render(StatusCode::OK, &cancel_page(&req, None, false).await)
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
                &cancel_page(&req, Some(Outcome::Key("recovery-link-cancelled")), false).await,
            ),
            Err(EngineError::Refused(r)) => render(
                StatusCode::CONFLICT,
                &cancel_page(&req, Some(Outcome::Refusal(r)), true).await,
            ),
            Err(EngineError::Store(e)) => return Err(e.into()),
        },
    )
}

#[get("/recovery/email")]
pub async fn get_email_link(req: HttpRequest) -> HttpResponse {
    render(StatusCode::OK, &email_page(&req, None, false).await)
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
                Some(Outcome::Key("recovery-link-wrong-browser")),
                true,
            )
            .await,
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
                &email_page(&req, Some(Outcome::Refusal(r)), true).await,
            ),
            Err(EngineError::Store(e)) => return Err(e.into()),
        },
    )
}
