//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). With a valid
//! `id_token_hint` the browser session ends at once, its refresh tokens are
//! revoked, and the user returns to a registered `post_logout_redirect_uri`;
//! without one, the user is asked first (a link alone cannot sign anyone out).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_accounts::SessionEnd;
use latchkey_oidc::logout::LogoutRequest;
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::WebError;
use crate::session::{self, SignedIn};
use crate::state::AppState;
use crate::views::SignedOutPage;
use crate::{cookies, csrf};

#[derive(Debug, Deserialize)]
pub struct LogoutQuery {
    id_token_hint: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
    client_id: Option<String>,
}

async fn end_session(req: &HttpRequest, state: &AppState, me: &SignedIn) -> Result<(), WebError> {
    state
        .accounts
        .sign_out(me, SessionEnd::Logout, &crate::client::info(req))
        .await?;
    Ok(())
}

/// The sign-out page: a confirmation form, or "you are signed out".
async fn signed_out_page(req: &HttpRequest, confirm: bool) -> Result<HttpResponse, WebError> {
    let chrome = Chrome::of(req).await;
    let body = askama::Template::render(&SignedOutPage { chrome, confirm })
        .map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body))
}

#[get("/logout")]
pub async fn get_logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<LogoutQuery>,
) -> Result<HttpResponse, WebError> {
    let checked = state
        .oidc
        .validate_logout(LogoutRequest {
            id_token_hint: q.id_token_hint.as_deref(),
            post_logout_redirect_uri: q.post_logout_redirect_uri.as_deref(),
            client_id: q.client_id.as_deref(),
            state: q.state.as_deref(),
        })
        .await?;
    let (hint, redirect) = (checked.hint, checked.redirect);
    let me = session::current(&req).await?;
    let Some(hint) = hint else {
        return signed_out_page(&req, me.is_some()).await;
    };
    let ended = match &me {
        Some(me) if me.user_id().to_string() == hint.sub => {
            end_session(&req, &state, me).await?;
            true
        }
        // Someone else is signed in here: the hint does not speak for
        // them, so they are asked (and nobody is redirected).
        Some(_) => {
            return signed_out_page(&req, true).await;
        }
        None => false,
    };
    let mut res = match redirect {
        Some(to) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, to))
            .finish(),
        None => signed_out_page(&req, false).await?,
    };
    if ended {
        let _ = res.add_cookie(&cookies::session_removal());
    }
    Ok(res)
}

#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    csrf: String,
}

#[post("/logout")]
pub async fn post_logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ConfirmForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    if let Some(me) = session::current(&req).await? {
        end_session(&req, &state, &me).await?;
    }
    let mut res = signed_out_page(&req, false).await?;
    let _ = res.add_cookie(&cookies::session_removal());
    Ok(res)
}
