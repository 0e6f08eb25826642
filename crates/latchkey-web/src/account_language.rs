//! The account's language: the account page's select posts here; the choice
//! is stored on the account and then comes before the browser's
//! `Accept-Language` on every page and in the account's notices.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use latchkey_i18n::Locale;
use serde::Deserialize;

use crate::csrf;
use crate::error::WebError;
use crate::session::MaybeSignedIn;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct LanguageForm {
    csrf: String,
    /// A shipped language's code, or empty for "as my browser asks".
    language: String,
}

/// The stored form of a chosen language: `None` for "as my browser asks",
/// the code of a shipped language, or `Err` for anything else.
pub fn parse_choice(value: &str) -> Result<Option<&'static str>, WebError> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    Locale::from_code(value)
        .map(|l| Some(l.code()))
        .ok_or_else(|| WebError::BadRequest(crate::error::LANGUAGE_UNKNOWN.to_owned()))
}

/// Stores the signed-in account's language.
#[post("/account/language")]
pub async fn post_language(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    form: web::Form<LanguageForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| WebError::SignInRequired {
        next: "/account".into(),
    })?;
    let choice = parse_choice(&form.language)?;
    let (user, now) = (me.user_id(), state.clock.now());
    state
        .db
        .run(move |c| latchkey_store::users::set_locale(c, user, choice, now))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            "/account?done=language-saved#language-form",
        ))
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_is_a_shipped_language_or_none_and_anything_else_is_refused() {
        assert_eq!(parse_choice("").unwrap(), None);
        assert_eq!(parse_choice("  ").unwrap(), None);
        assert_eq!(parse_choice("de").unwrap(), Some("de"));
        assert_eq!(parse_choice("AR").unwrap(), Some("ar"));
        for bad in ["xx", "de-DE", "en;q=1", "<script>"] {
            assert!(parse_choice(bad).is_err(), "{bad}");
        }
    }
}
