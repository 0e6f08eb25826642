//! The signing keys (administrators only): the key ring this node signs and
//! verifies with — active, next and retired keys with algorithm, age and
//! kid — and "Rotate now", the same operation as `latchkey keys rotate`
//! (`Provider::rotate_keys`), audited with the administrator. The retired
//! key stays in the JWKS for `keys::RETIRE_AFTER`, so tokens it signed
//! keep verifying while they live.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use askama_web::WebTemplate;
use latchkey_oidc::keys::KeyState;
use latchkey_web::chrome::Chrome;
use latchkey_web::csrf;
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use serde::Deserialize;

use crate::access;
use crate::views::{age_in, when_in};
use latchkey_i18n::msg;

pub(crate) const ADMINS_ONLY: &str = "Signing keys are for administrators.";

/// One published key.
#[derive(Debug)]
pub struct KeyRow {
    pub kid: String,
    pub alg: &'static str,
    /// `active`, `next` or `retired`.
    pub state: &'static str,
    /// The message of the state's name.
    pub state_label: &'static str,
    pub created: String,
    pub age: String,
    /// When it began signing (active and retired keys).
    pub activated: String,
    /// Until when a retired key stays in the JWKS.
    pub until: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/keys.html")]
pub struct KeysPage {
    pub chrome: Chrome,
    pub me: String,
    pub keys: Vec<KeyRow>,
    /// The message of what was just done.
    pub flash: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct KeysQuery {
    #[serde(default)]
    done: String,
}

#[get("/keys")]
pub async fn get_keys(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<KeysQuery>,
) -> Result<KeysPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let now = state.clock.now();
    let chrome = Chrome::console(&req).await;
    let locale = chrome.locale;
    let ring = state.keys.current();
    let keys = ring
        .keys()
        .iter()
        .map(|k| KeyRow {
            kid: k.key.kid().to_string(),
            alg: k.key.alg().as_str(),
            state: match k.state {
                KeyState::Active => "active",
                KeyState::Next => "next",
                KeyState::Retired => "retired",
            },
            state_label: match k.state {
                KeyState::Active => msg("admin-key-active"),
                KeyState::Next => msg("admin-key-next"),
                KeyState::Retired => msg("admin-key-retired"),
            },
            created: when_in(locale, k.created_at),
            age: age_in(locale, k.created_at, now),
            activated: k.activated_at.map_or_else(
                || locale.t(msg("admin-key-not-yet")),
                |t| when_in(locale, t),
            ),
            until: k.publish_until.map_or_else(
                || locale.t(msg("admin-key-while-in-use")),
                |t| when_in(locale, t),
            ),
        })
        .collect();
    Ok(KeysPage {
        chrome,
        me: crate::approvals::username(&state, &console).await?,
        keys,
        flash: (q.done == "rotated").then_some(msg("admin-flash-keys-rotated")),
    })
}

/// Rotates every algorithm's keys now (fresh step-up, CSRF and Origin).
#[post("/keys/rotate")]
pub async fn post_rotate(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<csrf::CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let console = access::admin_page_to(&req, &state, "/admin/keys", ADMINS_ONLY).await?;
    state
        .oidc
        .rotate_keys(
            &console.me.user_id().to_string(),
            latchkey_web::client::request_id(&req).as_deref(),
        )
        .await
        .map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, "/admin/keys?done=rotated"))
        .finish())
}
