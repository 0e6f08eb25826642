//! The client pages' templates and the form they share for registering and
//! editing an application (every value escaped by askama).

use askama::Template;
use askama_web::WebTemplate;
use latchkey_core::Acr;
use latchkey_i18n::{Arg, Locale, msg};
use latchkey_oidc::access::ResourceUriError;
use latchkey_oidc::clients::{
    ClientRegistration, ClientUpdate, RegisteredClient, RegistrationError,
};
use latchkey_oidc::redirect::RedirectUriError;
use latchkey_web::chrome::Chrome;
use serde::Deserialize;

use crate::views::Fact;

/// A client in the list.
#[derive(Debug)]
pub struct ClientRow {
    pub id: String,
    pub name: String,
    /// The message of "confidential" or "public".
    pub kind: &'static str,
    /// The minimum acr, if any.
    pub min_acr: Option<&'static str>,
    /// The message of whether people are asked for consent.
    pub consent: &'static str,
    pub disabled: bool,
}

impl ClientRow {
    pub fn of(c: &RegisteredClient) -> Self {
        Self {
            id: c.id.to_string(),
            name: c.name.clone(),
            kind: if c.is_public() {
                msg("admin-client-kind-public")
            } else {
                msg("admin-client-kind-confidential")
            },
            min_acr: c.min_acr.map(Acr::as_str),
            consent: if c.first_party {
                msg("admin-client-consent-not-asked")
            } else {
                msg("admin-client-consent-asked")
            },
            disabled: c.disabled,
        }
    }
}

/// The settings form as submitted (and, after an error, shown again).
/// Lists are one value per line (scopes: separated by spaces or lines).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClientForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub redirect_uris: String,
    #[serde(default)]
    pub post_logout_redirect_uris: String,
    /// "", "phr" or "phrh".
    #[serde(default)]
    pub min_acr: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub first_party: Option<String>,
    #[serde(default)]
    pub scopes: String,
    #[serde(default)]
    pub resources: String,
    /// Registration only: a checkbox.
    #[serde(default)]
    pub public: Option<String>,
    /// Registration only.
    #[serde(default)]
    pub id_token_alg: String,
    /// The attestation policy by name; `""` for none. Absent: unchanged.
    #[serde(default)]
    pub policy: Option<String>,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ClientForm {
    /// The form filled with a client's current settings.
    pub fn of(c: &RegisteredClient) -> Self {
        Self {
            csrf: String::new(),
            name: c.name.clone(),
            redirect_uris: c.redirect_uris.join("\n"),
            post_logout_redirect_uris: c.post_logout_redirect_uris.join("\n"),
            min_acr: c.min_acr.map_or("", Acr::as_str).to_owned(),
            first_party: c.first_party.then(|| "on".to_owned()),
            scopes: c.scopes.iter().cloned().collect::<Vec<_>>().join(" "),
            resources: c.resources.iter().cloned().collect::<Vec<_>>().join("\n"),
            public: c.is_public().then(|| "on".to_owned()),
            id_token_alg: c.id_token_alg.as_str().to_owned(),
            policy: None,
        }
    }

    /// The empty registration form, with the defaults of `client create`.
    pub fn blank() -> Self {
        Self {
            scopes: latchkey_oidc::access::default_scopes().join(" "),
            id_token_alg: latchkey_oidc::clients::DEFAULT_ID_TOKEN_ALG.to_owned(),
            ..Self::default()
        }
    }

    /// The minimum acr chosen; an unknown value is an error naming the field.
    pub fn acr(&self) -> Result<Option<Acr>, String> {
        match self.min_acr.as_str() {
            "" => Ok(None),
            "phr" => Ok(Some(Acr::Phr)),
            "phrh" => Ok(Some(Acr::Phrh)),
            _ => Err(MIN_LEVEL.to_owned()),
        }
    }

    pub fn scope_list(&self) -> Vec<String> {
        self.scopes.split_whitespace().map(str::to_owned).collect()
    }

    /// The new settings of an existing client.
    pub fn update(&self) -> Result<ClientUpdate, String> {
        Ok(ClientUpdate {
            name: self.name.clone(),
            redirect_uris: lines(&self.redirect_uris),
            post_logout_redirect_uris: lines(&self.post_logout_redirect_uris),
            min_acr: self.acr()?,
            first_party: self.first_party.is_some(),
            scopes: self.scope_list(),
            resources: lines(&self.resources),
        })
    }

    /// A new registration.
    pub fn registration(&self) -> Result<ClientRegistration, String> {
        let update = self.update()?;
        Ok(ClientRegistration {
            name: update.name,
            redirect_uris: update.redirect_uris,
            post_logout_redirect_uris: update.post_logout_redirect_uris,
            public: self.public.is_some(),
            min_acr: update.min_acr,
            first_party: update.first_party,
            id_token_alg: if self.id_token_alg.is_empty() {
                latchkey_oidc::clients::DEFAULT_ID_TOKEN_ALG.to_owned()
            } else {
                self.id_token_alg.clone()
            },
            scopes: update.scopes,
            resources: update.resources,
        })
    }
}

/// The message of a registration field's label, for error messages.
pub fn field_label(field: Option<&'static str>) -> &'static str {
    match field {
        Some("name") => msg("admin-field-name"),
        Some("redirect_uris") => msg("admin-field-redirect-uris"),
        Some("post_logout_redirect_uris") => msg("admin-field-logout-uris"),
        Some("id_token_alg") => msg("admin-field-alg"),
        Some("scopes") => msg("admin-field-scopes"),
        Some("resources") => msg("admin-field-resources"),
        _ => msg("admin-field-application"),
    }
}

/// Why an unknown minimum level is refused.
pub(crate) const MIN_LEVEL: &str = "Minimum level: choose none, phr or phrh.";

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/clients.html")]
pub struct ClientsPage {
    pub chrome: Chrome,
    pub me: String,
    pub rows: Vec<ClientRow>,
    pub form: ClientForm,
    /// Why the registration just submitted was refused.
    pub error: Option<String>,
    /// The attestation policies to choose from.
    pub policy_names: Vec<String>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/client.html")]
pub struct ClientPage {
    pub chrome: Chrome,
    pub me: String,
    pub id: String,
    pub name: String,
    pub public: bool,
    pub disabled: bool,
    pub facts: Vec<Fact>,
    pub form: ClientForm,
    /// The message of what was just done.
    pub flash: Option<&'static str>,
    /// Why the change just submitted was refused.
    pub error: Option<String>,
    /// The attestation policies to choose from.
    pub policy_names: Vec<String>,
    /// Its links and logo, as people see them.
    pub presentation: latchkey_store::client_presentations::Presentation,
}

/// A client's secret, shown once (the page is not cached).
#[derive(Debug, Template)]
#[template(path = "admin/client_secret.html")]
pub struct ClientSecretPage {
    pub chrome: Chrome,
    pub me: String,
    pub id: String,
    pub name: String,
    /// Registered just now (else: rotated).
    pub created: bool,
    pub secret: Option<String>,
    /// Until when the previous secret still works, after a rotation.
    pub previous_until: Option<String>,
}

/// A refused registration or change as the page says it in `locale`: the
/// field's name, then what is wrong with it (in English exactly the
/// registration's own words).
pub fn refusal(locale: Locale, e: &RegistrationError) -> String {
    use RegistrationError as R;
    use latchkey_oidc::access::{MAX_RESOURCES, MAX_SCOPE_LEN, MAX_SCOPES};
    use latchkey_oidc::clients::{MAX_NAME_LEN, MAX_REDIRECT_URIS};
    let say = |key: &str, args: &[(&str, String)]| {
        let args: Vec<(&str, Arg<'_>)> = args
            .iter()
            .map(|(name, value)| (*name, Arg::from(value.as_str())))
            .collect();
        locale.format(key, &args)
    };
    let quoted = |s: &String| format!("{s:?}");
    let what = match e {
        R::InvalidName => say(
            msg("admin-reg-invalid-name"),
            &[("max", MAX_NAME_LEN.to_string())],
        ),
        R::NoRedirectUri => say(msg("admin-reg-no-redirect-uri"), &[]),
        R::TooManyRedirectUris => say(
            msg("admin-reg-too-many-redirect-uris"),
            &[("max", MAX_REDIRECT_URIS.to_string())],
        ),
        R::InvalidRedirectUri { uri, reason } => say(
            msg("admin-reg-redirect-uri-refused"),
            &[
                ("uri", quoted(uri)),
                ("reason", redirect_reason(locale, reason)),
            ],
        ),
        R::InvalidPostLogoutRedirectUri { uri, reason } => say(
            msg("admin-reg-logout-uri-refused"),
            &[
                ("uri", quoted(uri)),
                ("reason", redirect_reason(locale, reason)),
            ],
        ),
        R::DuplicateRedirectUri(uri) => {
            say(msg("admin-reg-redirect-uri-twice"), &[("uri", quoted(uri))])
        }
        R::UnsupportedIdTokenAlg(alg) => {
            say(msg("admin-reg-unsupported-alg"), &[("alg", quoted(alg))])
        }
        R::InvalidScope(scope) => say(
            msg("admin-reg-invalid-scope"),
            &[("scope", quoted(scope)), ("max", MAX_SCOPE_LEN.to_string())],
        ),
        R::TooManyScopes => say(
            msg("admin-reg-too-many-scopes"),
            &[("max", MAX_SCOPES.to_string())],
        ),
        R::DuplicateScope(scope) => say(msg("admin-reg-scope-twice"), &[("scope", quoted(scope))]),
        R::InvalidResource { uri, reason } => say(
            msg("admin-reg-resource-refused"),
            &[
                ("uri", quoted(uri)),
                ("reason", resource_reason(locale, reason)),
            ],
        ),
        R::TooManyResources => say(
            msg("admin-reg-too-many-resources"),
            &[("max", MAX_RESOURCES.to_string())],
        ),
        R::DuplicateResource(uri) => say(msg("admin-reg-resource-twice"), &[("uri", quoted(uri))]),
        // Not a refusal: the page never shows it.
        R::Store(_) => e.to_string(),
    };
    format!("{}: {what}.", locale.t(field_label(e.field())))
}

fn redirect_reason(locale: Locale, r: &RedirectUriError) -> String {
    use RedirectUriError as U;
    let key = match r {
        U::Empty => msg("admin-redirect-empty"),
        U::TooLong => {
            return locale.format(
                msg("admin-redirect-too-long"),
                &[("max", latchkey_oidc::redirect::MAX_LEN.to_string().into())],
            );
        }
        U::ForbiddenCharacter => msg("admin-redirect-forbidden-character"),
        U::NotAbsolute => msg("admin-redirect-not-absolute"),
        U::Fragment => msg("admin-redirect-fragment"),
        U::Userinfo => msg("admin-redirect-userinfo"),
        U::InsecureHttp => msg("admin-redirect-insecure-http"),
        U::MissingHost => msg("admin-redirect-missing-host"),
        U::UnsupportedScheme(scheme) => {
            return locale.format(
                msg("admin-redirect-unsupported-scheme"),
                &[("scheme", format!("{scheme:?}").into())],
            );
        }
    };
    locale.t(key)
}

fn resource_reason(locale: Locale, r: &ResourceUriError) -> String {
    use ResourceUriError as U;
    let key = match r {
        U::Empty => msg("admin-resource-empty"),
        U::TooLong => {
            return locale.format(
                msg("admin-resource-too-long"),
                &[(
                    "max",
                    latchkey_oidc::access::MAX_RESOURCE_LEN.to_string().into(),
                )],
            );
        }
        U::ForbiddenCharacter => msg("admin-resource-forbidden-character"),
        U::NotAbsolute => msg("admin-resource-not-absolute"),
        U::Fragment => msg("admin-resource-fragment"),
        U::Userinfo => msg("admin-resource-userinfo"),
        U::MissingHost => msg("admin-resource-missing-host"),
        U::InsecureHttp => msg("admin-resource-insecure-http"),
        U::UnsupportedScheme(scheme) => {
            return locale.format(
                msg("admin-resource-unsupported-scheme"),
                &[("scheme", format!("{scheme:?}").into())],
            );
        }
    };
    locale.t(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every refusal, each reason once.
    fn refusals() -> Vec<RegistrationError> {
        use RedirectUriError as U;
        use RegistrationError as R;
        use ResourceUriError as S;
        let uri = || "http://a b/#x".to_owned();
        let mut all = vec![
            R::InvalidName,
            R::NoRedirectUri,
            R::TooManyRedirectUris,
            R::DuplicateRedirectUri(uri()),
            R::UnsupportedIdTokenAlg("HS256".to_owned()),
            R::InvalidScope("a\"b".to_owned()),
            R::TooManyScopes,
            R::DuplicateScope("openid".to_owned()),
            R::TooManyResources,
            R::DuplicateResource(uri()),
        ];
        for reason in [
            U::Empty,
            U::TooLong,
            U::ForbiddenCharacter,
            U::NotAbsolute,
            U::Fragment,
            U::Userinfo,
            U::InsecureHttp,
            U::MissingHost,
            U::UnsupportedScheme("ftp".to_owned()),
        ] {
            all.push(R::InvalidRedirectUri {
                uri: uri(),
                reason: reason.clone(),
            });
            all.push(R::InvalidPostLogoutRedirectUri { uri: uri(), reason });
        }
        for reason in [
            S::Empty,
            S::TooLong,
            S::ForbiddenCharacter,
            S::NotAbsolute,
            S::Fragment,
            S::Userinfo,
            S::MissingHost,
            S::InsecureHttp,
            S::UnsupportedScheme("ftp".to_owned()),
        ] {
            all.push(R::InvalidResource { uri: uri(), reason });
        }
        all
    }

    #[test]
    fn refusals_read_in_english_as_the_registration_words_them_and_follow_the_language() {
        let de = Locale::from_code("de").unwrap();
        for e in refusals() {
            let field = Locale::DEFAULT.t(field_label(e.field()));
            assert_eq!(refusal(Locale::DEFAULT, &e), format!("{field}: {e}."));
            let german = refusal(de, &e);
            assert!(!german.contains(&e.to_string()), "{german}");
            assert!(!german.contains("refused"), "{german}");
        }
    }
}
