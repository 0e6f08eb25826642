//! How an application presents itself on the sign-in, consent and step-up
//! pages: its home page, privacy policy and terms as links, and its logo.
//! The logo is fetched once, when an administrator sets `logo_uri`, checked
//! like the instance's (PNG or script-free SVG, 100 KiB), and stored: pages
//! serve it from this origin, so the Content-Security-Policy never names
//! another site and the application learns nothing of who signs in.

use latchkey_core::ClientId;
use latchkey_core::branding::BrandingError;
use latchkey_store::StoreError;
use latchkey_store::client_presentations::{self as store, Presentation};
use url::Url;

use crate::provider::Provider;

/// The longest link accepted.
const LINK_MAX: usize = 512;

/// Why a presentation was not stored; nothing changed.
#[derive(Debug, thiserror::Error)]
pub enum PresentationError {
    #[error(
        "{field}: {value:?} is not a link people can follow: give an https address (http only to this machine), without a user name or password, of at most 512 characters."
    )]
    Link { field: &'static str, value: String },
    #[error("The logo could not be fetched from {url}: {reason}.")]
    Fetch { url: String, reason: String },
    #[error("The logo at {url} was refused: {reason}")]
    Logo { url: String, reason: BrandingError },
    #[error("no client has this id")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks a link shown to people: `https` (or `http` to a loopback host),
/// with a host, no user name or password, at most 512 characters. Returns
/// it normalised.
pub fn check_link(s: &str) -> Option<String> {
    let s = s.trim();
    if s.len() > LINK_MAX {
        return None;
    }
    let url = Url::parse(s).ok()?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    (scheme_ok && url.host_str().is_some() && url.username().is_empty() && url.password().is_none())
        .then(|| url.to_string())
}

/// The four links as an administrator typed them; empty is "none".
#[derive(Debug, Clone, Default)]
pub struct PresentationForm {
    pub client_uri: String,
    pub policy_uri: String,
    pub tos_uri: String,
    pub logo_uri: String,
}

impl PresentationForm {
    /// The links checked, each `None` when left empty.
    pub fn checked(&self) -> Result<[Option<String>; 4], PresentationError> {
        let one = |field: &'static str, value: &str| match value.trim() {
            "" => Ok(None),
            v => check_link(v).map(Some).ok_or(PresentationError::Link {
                field,
                value: v.to_owned(),
            }),
        };
        Ok([
            one("client_uri", &self.client_uri)?,
            one("policy_uri", &self.policy_uri)?,
            one("tos_uri", &self.tos_uri)?,
            one("logo_uri", &self.logo_uri)?,
        ])
    }
}

/// The application a page is on the way to, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestingApp {
    pub id: ClientId,
    pub name: String,
    /// Whether `/clients/{id}/logo` has a logo to show.
    pub has_logo: bool,
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
}

/// A stored authorization request as the pages on its way show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requesting {
    /// The request's `ui_locales`, space-separated; `None` when it asked
    /// for none.
    pub ui_locales: Option<String>,
    pub app: Option<RequestingApp>,
}

impl RequestingApp {
    /// The logo's address on this origin, when there is one.
    pub fn logo_path(&self) -> Option<String> {
        self.has_logo.then(|| format!("/clients/{}/logo", self.id))
    }
}

impl Provider {
    /// The client's presentation (empty when none is set).
    pub async fn client_presentation(&self, id: &ClientId) -> Result<Presentation, StoreError> {
        let id = id.clone();
        Ok(self
            .db()
            .run(move |c| store::find(c, &id))
            .await?
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_must_be_https_or_loopback_without_credentials() {
        assert_eq!(
            check_link(" https://payroll.example.com/privacy ").as_deref(),
            Some("https://payroll.example.com/privacy")
        );
        assert!(check_link("http://localhost:9000/logo.svg").is_some());
        assert!(check_link("http://127.0.0.1/x").is_some());
        for bad in [
            "http://payroll.example.com",
            "javascript:alert(1)",
            "data:image/png;base64,AAAA",
            "https://user:pw@payroll.example.com",
            "//payroll.example.com",
            "",
        ] {
            assert!(check_link(bad).is_none(), "{bad}");
        }
        assert!(check_link(&format!("https://example.com/{}", "a".repeat(600))).is_none());
    }

    #[test]
    fn a_form_names_the_field_it_refuses() {
        let form = PresentationForm {
            policy_uri: "ftp://example.com/p".into(),
            ..Default::default()
        };
        let err = form.checked().unwrap_err();
        assert!(err.to_string().starts_with("policy_uri:"), "{err}");
    }
}
