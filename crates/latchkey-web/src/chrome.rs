//! What every page carries besides its own content: the CSRF token, the
//! negotiated language (`<html lang dir>`), the instance's name, and the
//! messages of that language for the template and the page's script.
//!
//! The language is chosen in this order (see `latchkey_i18n::negotiate`):
//! the `ui_locales` of the authorization request the page continues, the
//! signed-in account's stored choice, `Accept-Language`, then English.

use std::future::Future;
use std::pin::Pin;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpRequest, web};
use askama::Template as _;
use latchkey_i18n::{Arg, Locale, Preferences, msg};

use crate::error::{ApiError, ApiErrorText};
use crate::state::AppState;

pub use latchkey_i18n::Arg as MessageArg;

/// The chrome of one page.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// The CSRF token, for the meta tag and the forms.
    pub csrf: String,
    pub locale: Locale,
    /// `<html lang>`.
    pub lang: &'static str,
    /// `<html dir>`: `ltr` or `rtl`.
    pub dir: &'static str,
    /// The instance's name (the branding in force, `AppState::brand`).
    pub instance_name: String,
    /// Whether the instance has a logo (`/branding/logo`).
    pub has_logo: bool,
    /// Where people get help, when the instance names a place.
    pub support_url: Option<String>,
}

/// What the request says about its language, without the authorization
/// request (which only some pages continue): the account's choice and
/// `Accept-Language`.
async fn preferences_of(
    req: &HttpRequest,
    state: Option<&AppState>,
) -> (Option<String>, Option<String>) {
    let account = match state {
        Some(state) => account_locale(req, state).await,
        None => None,
    };
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (account, accept)
}

/// The signed-in account's stored language, if any. A failure to look it
/// up is not the page's failure: the next source decides.
async fn account_locale(req: &HttpRequest, state: &AppState) -> Option<String> {
    let me = crate::session::current(req).await.ok()??;
    let user = me.user_id();
    match state
        .db
        .run(move |c| latchkey_store::users::locale(c, user))
        .await
    {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "the account's language could not be read");
            None
        }
    }
}

impl Chrome {
    /// The chrome for `req`, its language negotiated from the account and
    /// `Accept-Language`.
    pub async fn of(req: &HttpRequest) -> Self {
        Self::negotiated(req, None).await
    }

    /// The chrome for a page on the way of the stored authorization request
    /// `request_id`: its `ui_locales` come first.
    pub async fn continuing(req: &HttpRequest, request_id: Option<&str>) -> Self {
        let ui_locales = match (request_id, req.app_data::<web::Data<AppState>>()) {
            (Some(id), Some(state)) => state
                .oidc
                .requesting_ui_locales(id)
                .await
                .unwrap_or_default(),
            _ => None,
        };
        Self::negotiated(req, ui_locales.as_deref()).await
    }

    /// The chrome for the `/authorize` request itself: its own `ui_locales`
    /// parameter comes first.
    pub async fn with_ui_locales(req: &HttpRequest, ui_locales: Option<&str>) -> Self {
        Self::negotiated(req, ui_locales).await
    }

    async fn negotiated(req: &HttpRequest, ui_locales: Option<&str>) -> Self {
        let state = req.app_data::<web::Data<AppState>>();
        let (account, accept) = preferences_of(req, state.map(|s| s.get_ref())).await;
        let locale = latchkey_i18n::negotiate(&Preferences {
            ui_locales,
            account: account.as_deref(),
            accept_language: accept.as_deref(),
        });
        let mut chrome = Self::new(
            req,
            locale,
            latchkey_store::branding::DEFAULT_NAME.to_owned(),
        );
        if let Some(state) = state {
            chrome.brand(&*state.brand().await);
        }
        chrome
    }

    /// Puts the instance's branding on the page.
    pub fn brand(&mut self, brand: &latchkey_store::branding::Brand) {
        self.instance_name = brand.name.clone();
        self.has_logo = brand.logo.is_some();
        self.support_url = brand.support_url.clone();
    }

    /// The chrome of a console page: negotiated like every other page (the
    /// admin's stored choice, then `Accept-Language`).
    pub async fn console(req: &HttpRequest) -> Self {
        Self::of(req).await
    }

    /// The chrome of a page rendered where no request is at hand (an error
    /// response, rendered again by [`localise_error_pages`]).
    pub fn fallback() -> Self {
        Self {
            csrf: String::new(),
            locale: Locale::DEFAULT,
            lang: Locale::DEFAULT.code(),
            dir: Locale::DEFAULT.dir().as_str(),
            instance_name: latchkey_store::branding::DEFAULT_NAME.to_owned(),
            has_logo: false,
            support_url: None,
        }
    }

    /// The chrome in a known language.
    pub fn new(req: &HttpRequest, locale: Locale, instance_name: String) -> Self {
        Self {
            csrf: crate::csrf::token(req),
            locale,
            lang: locale.code(),
            dir: locale.dir().as_str(),
            instance_name,
            has_logo: false,
            support_url: None,
        }
    }

    /// The message `key`.
    pub fn t(&self, key: &str) -> String {
        self.locale.t(key)
    }

    /// The message `key` with one argument.
    pub fn t1<'a>(&self, key: &str, name: &str, value: impl Into<Arg<'a>>) -> String {
        self.locale.format(key, &[(name, value.into())])
    }

    /// The message `key` with two arguments.
    pub fn t2<'a, 'b>(
        &self,
        key: &str,
        n1: &str,
        v1: impl Into<Arg<'a>>,
        n2: &str,
        v2: impl Into<Arg<'b>>,
    ) -> String {
        self.locale.format(key, &[(n1, v1.into()), (n2, v2.into())])
    }

    /// The message `key` as HTML: the message may mark words up
    /// (`<strong>`), the argument is escaped. Rendered with `|safe`.
    pub fn h1<'a>(&self, key: &str, name: &str, value: impl Into<Arg<'a>>) -> String {
        self.locale.format(key, &[(name, escaped(value.into()))])
    }

    /// [`Chrome::h1`] with two arguments.
    pub fn h2<'a, 'b>(
        &self,
        key: &str,
        n1: &str,
        v1: impl Into<Arg<'a>>,
        n2: &str,
        v2: impl Into<Arg<'b>>,
    ) -> String {
        self.locale
            .format(key, &[(n1, escaped(v1.into())), (n2, escaped(v2.into()))])
    }

    /// A moment in this language's way.
    pub fn when(&self, t: chrono::DateTime<chrono::Utc>) -> String {
        self.locale.datetime(t)
    }

    /// `<title>`: the page's title, then the instance's name.
    pub fn title(&self, page: &str) -> String {
        if page.is_empty() {
            self.instance_name.clone()
        } else {
            format!("{page} — {}", self.instance_name)
        }
    }

    /// The messages of the pages' script (keys `js-*`), as JSON for the
    /// `data-messages` attribute (the script has no build step to carry its
    /// own translations).
    pub fn script_messages(&self) -> String {
        let map: serde_json::Map<String, serde_json::Value> = SCRIPT_MESSAGES
            .iter()
            .map(|k| ((*k).to_owned(), serde_json::Value::String(self.t(k))))
            .collect();
        serde_json::Value::Object(map).to_string()
    }

    /// The shipped languages, for a language select: `(code, own name,
    /// selected)`.
    pub fn languages(&self) -> Vec<(&'static str, &'static str, bool)> {
        Locale::all()
            .map(|l| (l.code(), l.name(), l == self.locale))
            .collect()
    }
}

/// The keys `static/latchkey.js` (and the console's script) look up.
pub const SCRIPT_MESSAGES: &[&str] = &[
    msg("js-request-failed"),
    msg("js-cancelled"),
    msg("js-signing-in"),
    msg("js-follow-prompt"),
    msg("js-saving-passkey"),
    msg("js-confirm-first"),
    msg("js-now-create"),
    msg("js-link-incomplete"),
    msg("js-recording-decision"),
    msg("js-confirm-decision"),
];

fn escaped(a: Arg<'_>) -> Arg<'static> {
    match a {
        Arg::Text(s) => Arg::Text(
            askama::filters::escape(s.as_ref(), askama::filters::Html)
                .map(|e| e.to_string())
                .unwrap_or_default()
                .into(),
        ),
        Arg::Number(n) => Arg::Number(n),
    }
}

impl FromRequest for Chrome {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(Self::of(&req).await) })
    }
}

// ---- error pages -------------------------------------------------------------
//
// `WebError::error_response` knows no request, so it renders in English and
// leaves the error's message on the response; this middleware renders the
// page again in the request's language, with the instance's name.

/// What an error page says, kept on its response for [`localise_error_pages`].
#[derive(Debug, Clone)]
pub struct ErrorPageText {
    pub status: u16,
    pub message: crate::error::Message,
}

/// Renders every error page in the language of its request.
pub async fn localise_error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?;
    let api = res.response().extensions().get::<ApiErrorText>().cloned();
    if let Some(api) = api {
        let locale = Chrome::of(res.request()).await.locale;
        let body = serde_json::json!({ "error": api.code, "message": api.message.render(locale) });
        let (req, response) = res.into_parts();
        let response = response.set_body(BoxBody::new(body.to_string()));
        return Ok(ServiceResponse::new(req, response));
    }
    let text = res.response().extensions().get::<ErrorPageText>().cloned();
    let Some(text) = text else {
        return Ok(res.map_into_boxed_body());
    };
    let chrome = Chrome::of(res.request()).await;
    let page = crate::views::ErrorPage {
        message: text.message.render(chrome.locale),
        status: text.status,
        chrome,
    };
    let Ok(html) = page.render() else {
        return Ok(res.map_into_boxed_body());
    };
    let (req, response) = res.into_parts();
    let response = response.set_body(BoxBody::new(html));
    Ok(ServiceResponse::new(req, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_put_into_markup_messages_are_escaped_and_titles_end_with_the_instance() {
        let chrome = Chrome::fallback();
        assert_eq!(
            chrome.h1("signin-continue-to", "app", "<b>Pay & Co</b>"),
            "to continue to <strong>&#60;b&#62;Pay &#38; Co&#60;/b&#62;</strong>"
        );
        assert_eq!(chrome.title("Sign in"), "Sign in — Latchkey");
        assert_eq!(chrome.title(""), "Latchkey");
        let script: serde_json::Value = serde_json::from_str(&chrome.script_messages()).unwrap();
        assert_eq!(script["js-signing-in"], "Signing in…");
        assert_eq!(script.as_object().unwrap().len(), SCRIPT_MESSAGES.len());
    }

    #[test]
    fn every_message_the_script_asks_for_is_served_to_it() {
        let script = include_str!("../../../static/latchkey.js");
        for (at, _) in script.match_indices("M('") {
            let key = script[at + 3..].split('\'').next().unwrap();
            assert!(
                SCRIPT_MESSAGES.contains(&key),
                "{key} is not in SCRIPT_MESSAGES"
            );
        }
    }
}
