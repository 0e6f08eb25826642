//! The instance's branding, changed by an administrator
//! (`Accounts::change_branding`): name, primary colour (checked for WCAG AA
//! contrast with its white text), support link and logo (PNG or SVG, at
//! most 100 KiB). The form is `multipart/form-data` for the logo; it is
//! read with a bound on every part before anything else, then checked like
//! every console form (Origin and CSRF token) before it is looked at.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use askama_web::WebTemplate;
use futures_util::StreamExt as _;
use latchkey_accounts::AccountsError;
use latchkey_accounts::branding::{BrandingForm, LogoChange};
use latchkey_core::branding::{BrandingError, LOGO_MAX_BYTES, NAME_MAX_CHARS};
use latchkey_i18n::{Arg, Locale, msg};
use latchkey_web::chrome::Chrome;
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use latchkey_web::{client, csrf};
use serde::Deserialize;

use crate::access;

pub(crate) const ADMINS_ONLY: &str = "Branding is for administrators.";
/// The longest text field accepted (name, colour, link, token).
const FIELD_MAX_BYTES: usize = 1024;

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/branding.html")]
pub struct BrandingPage {
    pub chrome: Chrome,
    pub me: String,
    pub name: String,
    /// `#rrggbb`, or empty for the built-in palette.
    pub colour: String,
    pub support_url: String,
    /// The logo's hash (for the preview's URL), when there is one.
    pub logo: Option<String>,
    /// The message of what was just done.
    pub flash: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct BrandingQuery {
    #[serde(default)]
    done: String,
}

#[get("/branding")]
pub async fn get_branding(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<BrandingQuery>,
) -> Result<BrandingPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let brand = state.accounts.settings().brand().current().await?;
    Ok(BrandingPage {
        chrome: Chrome::console(&req).await,
        me: crate::approvals::username(&state, &console).await?,
        name: brand.name.clone(),
        colour: brand.colour.map(|c| c.to_string()).unwrap_or_default(),
        support_url: brand.support_url.clone().unwrap_or_default(),
        logo: brand.logo.as_ref().map(|l| l.etag.clone()),
        flash: (q.done == "saved").then_some(msg("admin-flash-branding-saved")),
    })
}

/// The form as read from the multipart body.
#[derive(Debug, Default)]
struct Parts {
    csrf: Option<String>,
    form: BrandingForm,
    remove_logo: bool,
}

/// Reads every part, each bounded; a part over its bound refuses the whole
/// form. Unknown parts are read (bounded) and ignored.
async fn read_parts(mut body: Multipart, locale: Locale) -> Result<Parts, WebError> {
    let mut parts = Parts::default();
    while let Some(field) = body.next().await {
        let mut field = field.map_err(|_| malformed())?;
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "logo" {
            LOGO_MAX_BYTES + 1
        } else {
            FIELD_MAX_BYTES
        };
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|_| malformed())?;
            if bytes.len() + chunk.len() > limit {
                return Err(if name == "logo" {
                    WebError::BadRequest(refusal(
                        locale,
                        &BrandingError::LogoTooLarge(bytes.len() + chunk.len()),
                    ))
                } else {
                    malformed()
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8(bytes.clone()).map_err(|_| malformed());
        match name.as_str() {
            "csrf" => parts.csrf = Some(text()?),
            "name" => parts.form.name = text()?,
            "colour" => parts.form.colour = text()?,
            "support_url" => parts.form.support_url = text()?,
            "remove_logo" => parts.remove_logo = !bytes.is_empty(),
            // A file input left empty sends a part with no bytes.
            "logo" if !bytes.is_empty() => parts.form.logo = LogoChange::Replace(bytes),
            _ => {}
        }
    }
    if parts.remove_logo {
        parts.form.logo = LogoChange::Remove;
    }
    Ok(parts)
}

fn malformed() -> WebError {
    WebError::BadRequest(latchkey_web::error::MALFORMED_FORM.to_owned())
}

#[post("/branding")]
pub async fn post_branding(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, WebError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        // Not this page's form: refused as any console post without its
        // token is (403), or as unreadable when a script sent the header.
        csrf::verify(&req, None, &state.origin)?;
        return Err(malformed());
    }
    let locale = Chrome::console(&req).await.locale;
    let parts = read_parts(Multipart::new(req.headers(), payload), locale).await?;
    csrf::verify(&req, parts.csrf.as_deref(), &state.origin)?;
    let console = access::admin_page_to(&req, &state, "/admin/branding", ADMINS_ONLY).await?;
    match state
        .accounts
        .change_branding(&console.me, parts.form, &client::info(&req))
        .await
    {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/admin/branding?done=saved"))
            .finish()),
        Err(AccountsError::StepUpRequired) => Err(WebError::StepUpRequired {
            next: "/admin/branding".to_owned(),
        }),
        Err(AccountsError::Branding(b)) => Err(WebError::BadRequest(refusal(
            Chrome::console(&req).await.locale,
            &b,
        ))),
        Err(e) => Err(e.into()),
    }
}

/// A refused branding value in `locale` (in English exactly the branding
/// rules' own sentence).
pub fn refusal(locale: Locale, e: &BrandingError) -> String {
    let say = |key: &str, args: &[(&str, String)]| {
        let args: Vec<(&str, Arg<'_>)> = args
            .iter()
            .map(|(name, value)| (*name, Arg::from(value.as_str())))
            .collect();
        locale.format(key, &args)
    };
    match e {
        BrandingError::Name => say(
            msg("admin-branding-refused-name"),
            &[("max", NAME_MAX_CHARS.to_string())],
        ),
        BrandingError::ColourSyntax(c) => say(
            msg("admin-branding-refused-colour"),
            &[("colour", format!("{c:?}"))],
        ),
        BrandingError::Contrast { colour, ratio } => say(
            msg("admin-branding-refused-contrast"),
            &[
                ("colour", colour.to_string()),
                ("ratio", format!("{ratio:.2}")),
            ],
        ),
        BrandingError::SupportUrl(u) => say(
            msg("admin-branding-refused-support-url"),
            &[("url", format!("{u:?}"))],
        ),
        BrandingError::LogoTooLarge(n) => say(
            msg("admin-branding-refused-logo-size"),
            &[("bytes", n.to_string())],
        ),
        BrandingError::LogoType => say(msg("admin-branding-refused-logo-type"), &[]),
        BrandingError::LogoDimensions(w, h) => say(
            msg("admin-branding-refused-logo-pixels"),
            &[("width", w.to_string()), ("height", h.to_string())],
        ),
        BrandingError::SvgActive(what) => say(
            msg("admin-branding-refused-svg"),
            &[("what", svg_active(locale, what))],
        ),
    }
}

/// What an SVG logo must not contain, named in `locale` (as the branding
/// rules name it when this console does not know it).
fn svg_active(locale: Locale, what: &str) -> String {
    let key = match what {
        "a script" => msg("admin-svg-script"),
        "a javascript: link" => msg("admin-svg-javascript"),
        "embedded HTML (foreignObject)" => msg("admin-svg-foreign-object"),
        "an embedded document" => msg("admin-svg-embedded-document"),
        "an entity declaration" => msg("admin-svg-entity"),
        "a document type declaration" => msg("admin-svg-doctype"),
        "a style sheet import" => msg("admin-svg-import"),
        "a link to another site" => msg("admin-svg-link"),
        "an embedded data: URL" => msg("admin-svg-data-url"),
        "an event handler (on… attribute)" => msg("admin-svg-event-handler"),
        other => return other.to_owned(),
    };
    locale.t(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use latchkey_core::branding::Colour;

    #[test]
    fn refusals_read_in_english_as_the_branding_rules_word_them_and_follow_the_language() {
        let de = Locale::from_code("de").unwrap();
        for e in [
            BrandingError::Name,
            BrandingError::ColourSyntax("pink".to_owned()),
            BrandingError::Contrast {
                colour: Colour([0xee, 0xee, 0x00]),
                ratio: 1.234,
            },
            BrandingError::SupportUrl("ftp://x".to_owned()),
            BrandingError::LogoTooLarge(200_000),
            BrandingError::LogoType,
            BrandingError::LogoDimensions(2000, 10),
            BrandingError::SvgActive("a script"),
            BrandingError::SvgActive("a link to another site"),
            BrandingError::SvgActive("an event handler (on… attribute)"),
        ] {
            assert_eq!(refusal(Locale::DEFAULT, &e), e.to_string());
            let german = refusal(de, &e);
            assert_ne!(german, e.to_string());
            if let BrandingError::SvgActive(what) = e {
                assert!(!german.contains(what), "{german}");
            }
        }
    }
}
