//! The relying party: its ID, name and origins, validated once at start-up.

use std::net::IpAddr;

use url::{Host, Url};
use webauthn_rs::prelude::{Webauthn, WebauthnBuilder, WebauthnError};

/// A relying-party configuration that an operator got wrong. Messages are
/// meant to be printed as the reason the server refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum RpConfigError {
    #[error(
        "The relying party ID is empty; set it to the domain users sign in on, e.g. \"example.com\"."
    )]
    EmptyRpId,

    #[error(
        "The relying party ID {rp_id:?} is not a plain domain name; write it in lower case (punycode for international names), without scheme, port, path or trailing dot (e.g. \"example.com\")."
    )]
    RpIdNotADomain { rp_id: String },

    #[error(
        "The relying party ID {rp_id:?} is an IP address; passkeys are bound to a domain name, so use one (or \"localhost\" for development)."
    )]
    RpIdIsIpAddress { rp_id: String },

    #[error(
        "The relying party ID {rp_id:?} is a public suffix (on the Public Suffix List), which browsers refuse; use a domain you own beneath it, e.g. \"yourname.{rp_id}\"."
    )]
    RpIdIsPublicSuffix { rp_id: String },

    #[error(
        "The relying party name is empty; set it to the name users should see, e.g. your company's."
    )]
    EmptyRpName,

    #[error(
        "No origin is configured; add the https origin users sign in on, e.g. \"https://id.example.com\"."
    )]
    NoOrigins,

    #[error(
        "The origin {origin} is not a web origin: give only scheme, host and optional port, without path, query or fragment."
    )]
    OriginNotAnOrigin { origin: String },

    #[error(
        "The origin {origin} does not use https; only localhost may use plain http (for development)."
    )]
    OriginNotHttps { origin: String },

    #[error(
        "The origin {origin} is not the relying party ID {rp_id:?} nor one of its subdomains, so browsers would refuse passkeys there."
    )]
    OriginOutsideRpId { origin: String, rp_id: String },

    #[error("webauthn-rs refused the relying party configuration.")]
    Webauthn(#[source] WebauthnError),
}

/// The validated relying-party settings (readable for logs and pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpConfig {
    rp_id: String,
    rp_name: String,
    origins: Vec<Url>,
}

impl RpConfig {
    /// Validates the relying party at start-up and builds it.
    ///
    /// Security invariants checked here, before anything is served:
    /// - the RP ID is a registrable domain, never a public suffix (Public
    ///   Suffix List) nor an IP address; `localhost` and `*.localhost` are
    ///   accepted for development;
    /// - every origin is https (plain http only on localhost) and its host is
    ///   the RP ID or one of its subdomains;
    /// - origins are matched exactly (scheme, host, port) during ceremonies.
    #[expect(
        clippy::new_ret_no_self,
        reason = "validating the config is building the relying party"
    )]
    pub fn new(rp_id: &str, rp_name: &str, origins: &[Url]) -> Result<RelyingParty, RpConfigError> {
        let config = Self::validate(rp_id, rp_name, origins)?;
        RelyingParty::from_config(config)
    }

    /// Checks the settings without building the relying party.
    pub fn validate(rp_id: &str, rp_name: &str, origins: &[Url]) -> Result<Self, RpConfigError> {
        validate_rp_id(rp_id)?;
        if rp_name.trim().is_empty() {
            return Err(RpConfigError::EmptyRpName);
        }
        if origins.is_empty() {
            return Err(RpConfigError::NoOrigins);
        }
        for origin in origins {
            validate_origin(rp_id, origin)?;
        }
        Ok(Self {
            rp_id: rp_id.to_owned(),
            rp_name: rp_name.to_owned(),
            origins: origins.to_vec(),
        })
    }

    pub fn rp_id(&self) -> &str {
        &self.rp_id
    }

    pub fn rp_name(&self) -> &str {
        &self.rp_name
    }

    pub fn origins(&self) -> &[Url] {
        &self.origins
    }
}

/// The relying party ready for ceremonies. Cheap to clone; share one.
#[derive(Debug, Clone)]
pub struct RelyingParty {
    config: RpConfig,
    pub(crate) webauthn: Webauthn,
}

impl RelyingParty {
    fn from_config(config: RpConfig) -> Result<Self, RpConfigError> {
        let (first, rest) = config
            .origins
            .split_first()
            .ok_or(RpConfigError::NoOrigins)?;
        let mut builder = WebauthnBuilder::new(&config.rp_id, first)
            .map_err(RpConfigError::Webauthn)?
            .rp_name(&config.rp_name);
        for origin in rest {
            builder = builder.append_allowed_origin(origin);
        }
        let webauthn = builder.build().map_err(RpConfigError::Webauthn)?;
        Ok(Self { config, webauthn })
    }

    pub fn config(&self) -> &RpConfig {
        &self.config
    }

    pub fn rp_id(&self) -> &str {
        &self.config.rp_id
    }
}

fn is_localhost(domain: &str) -> bool {
    domain == "localhost" || domain.ends_with(".localhost")
}

fn validate_rp_id(rp_id: &str) -> Result<(), RpConfigError> {
    if rp_id.is_empty() {
        return Err(RpConfigError::EmptyRpId);
    }
    let bare = rp_id.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() {
        return Err(RpConfigError::RpIdIsIpAddress {
            rp_id: rp_id.to_owned(),
        });
    }
    // `Host::parse` normalises (lower case, punycode); anything it changed or
    // refused is not how the browser will see the RP ID.
    match Host::parse(rp_id) {
        Ok(Host::Domain(d)) if d == rp_id && !d.ends_with('.') && !d.starts_with('.') => {}
        Ok(Host::Ipv4(_)) | Ok(Host::Ipv6(_)) => {
            return Err(RpConfigError::RpIdIsIpAddress {
                rp_id: rp_id.to_owned(),
            });
        }
        _ => {
            return Err(RpConfigError::RpIdNotADomain {
                rp_id: rp_id.to_owned(),
            });
        }
    }
    if is_localhost(rp_id) {
        return Ok(());
    }
    // A registrable domain is one label more than its public suffix; when the
    // list has no registrable domain for it, the RP ID is itself a suffix.
    match psl::domain(rp_id.as_bytes()) {
        Some(_) => Ok(()),
        None => Err(RpConfigError::RpIdIsPublicSuffix {
            rp_id: rp_id.to_owned(),
        }),
    }
}

fn validate_origin(rp_id: &str, origin: &Url) -> Result<(), RpConfigError> {
    let shown = origin.as_str().trim_end_matches('/').to_owned();
    let not_an_origin = || RpConfigError::OriginNotAnOrigin {
        origin: shown.clone(),
    };
    if origin.path() != "/"
        || origin.query().is_some()
        || origin.fragment().is_some()
        || !origin.username().is_empty()
        || origin.password().is_some()
    {
        return Err(not_an_origin());
    }
    let host = match origin.host() {
        Some(Host::Domain(d)) => d,
        Some(Host::Ipv4(_) | Host::Ipv6(_)) | None => {
            return Err(RpConfigError::OriginOutsideRpId {
                origin: shown,
                rp_id: rp_id.to_owned(),
            });
        }
    };
    match origin.scheme() {
        "https" => {}
        "http" if is_localhost(host) => {}
        "http" => return Err(RpConfigError::OriginNotHttps { origin: shown }),
        _ => return Err(not_an_origin()),
    }
    let inside = host == rp_id
        || host
            .strip_suffix(rp_id)
            .is_some_and(|prefix| prefix.ends_with('.'));
    if !inside {
        return Err(RpConfigError::OriginOutsideRpId {
            origin: shown,
            rp_id: rp_id.to_owned(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn build(rp_id: &str, origins: &[&str]) -> Result<RelyingParty, RpConfigError> {
        let origins: Vec<Url> = origins.iter().map(|o| url(o)).collect();
        RpConfig::new(rp_id, "Example", &origins)
    }

    #[test]
    fn rp_id_is_refused_when_it_is_a_public_suffix() {
        for suffix in ["github.io", "com", "co.uk"] {
            let err = build(suffix, &[&format!("https://x.{suffix}")]).unwrap_err();
            assert!(
                matches!(err, RpConfigError::RpIdIsPublicSuffix { .. }),
                "{suffix}: {err:?}"
            );
            assert!(err.to_string().contains("public suffix"), "{err}");
        }
    }

    #[test]
    fn rp_id_is_accepted_when_registrable_with_its_own_origin() {
        assert!(build("example.com", &["https://example.com"]).is_ok());
        assert!(build("example.co.uk", &["https://login.example.co.uk"]).is_ok());
        assert!(build("me.github.io", &["https://me.github.io"]).is_ok());
    }

    #[test]
    fn subdomain_rp_id_is_accepted_with_its_origin() {
        let rp = build("id.example.com", &["https://id.example.com"]).unwrap();
        assert_eq!(rp.rp_id(), "id.example.com");
        assert_eq!(rp.config().rp_name(), "Example");
    }

    #[test]
    fn origin_is_refused_when_outside_the_rp_id() {
        let err = build("example.com", &["https://evil.com"]).unwrap_err();
        assert!(matches!(err, RpConfigError::OriginOutsideRpId { .. }));
        assert!(err.to_string().contains("https://evil.com"), "{err}");
        // A suffix match that is not a subdomain boundary is outside too.
        let err = build("example.com", &["https://notexample.com"]).unwrap_err();
        assert!(matches!(err, RpConfigError::OriginOutsideRpId { .. }));
        // Parent domain of the RP ID is outside.
        let err = build("id.example.com", &["https://example.com"]).unwrap_err();
        assert!(matches!(err, RpConfigError::OriginOutsideRpId { .. }));
    }

    #[test]
    fn origin_is_refused_when_plain_http_outside_localhost() {
        let err = build("example.com", &["http://example.com"]).unwrap_err();
        assert!(matches!(err, RpConfigError::OriginNotHttps { .. }));
        assert!(err.to_string().contains("http://example.com"), "{err}");
    }

    #[test]
    fn localhost_is_accepted_with_plain_http_and_a_port() {
        assert!(build("localhost", &["http://localhost:8080"]).is_ok());
        assert!(build("app.localhost", &["http://app.localhost:3000"]).is_ok());
    }

    #[test]
    fn ip_addresses_are_refused_as_rp_id() {
        for ip in ["127.0.0.1", "::1", "[::1]", "10.0.0.7"] {
            let err = build(ip, &["https://example.com"]).unwrap_err();
            assert!(
                matches!(err, RpConfigError::RpIdIsIpAddress { .. }),
                "{ip}: {err:?}"
            );
        }
    }

    #[test]
    fn rp_id_is_refused_when_not_a_bare_lowercase_domain() {
        for bad in [
            "https://example.com",
            "Example.com",
            "example.com:443",
            "example.com/",
            "example.com.",
        ] {
            let err = build(bad, &["https://example.com"]).unwrap_err();
            assert!(
                matches!(err, RpConfigError::RpIdNotADomain { .. }),
                "{bad}: {err:?}"
            );
        }
        assert!(matches!(
            build("", &["https://example.com"]).unwrap_err(),
            RpConfigError::EmptyRpId
        ));
    }

    #[test]
    fn origins_are_refused_when_missing_or_carrying_a_path() {
        assert!(matches!(
            build("example.com", &[]).unwrap_err(),
            RpConfigError::NoOrigins
        ));
        let err = build("example.com", &["https://example.com/login"]).unwrap_err();
        assert!(matches!(err, RpConfigError::OriginNotAnOrigin { .. }));
        let err = build("example.com", &["https://127.0.0.1"]).unwrap_err();
        assert!(matches!(err, RpConfigError::OriginOutsideRpId { .. }));
    }

    #[test]
    fn empty_rp_name_is_refused() {
        let err = RpConfig::new("example.com", " ", &[url("https://example.com")]).unwrap_err();
        assert!(matches!(err, RpConfigError::EmptyRpName));
    }

    #[test]
    fn several_origins_inside_the_rp_id_are_accepted() {
        let rp = build(
            "example.com",
            &["https://id.example.com", "https://example.com:8443"],
        )
        .unwrap();
        assert_eq!(rp.config().origins().len(), 2);
    }
}
