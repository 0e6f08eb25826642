//! What a client may be granted: scopes (RFC 6749 §3.3) and resources
//! (RFC 8707 resource indicators), both registered per client.
//!
//! Security invariants, enforced where grants are made:
//! - a client is granted only scopes registered for it, `invalid_scope`
//!   otherwise: at the authorization endpoint ([`crate::authorize::validate`])
//!   and for client_credentials; a code redemption or a refresh can only
//!   narrow what was authorized;
//! - an access token's `aud` names only resources registered for the client
//!   and, for a user's grant, named in its authorization request;
//!   `invalid_target` otherwise. A code redemption or a refresh may ask for
//!   fewer of the grant's resources, never for another (RFC 8707 §2.2);
//! - a token request that names no resource gets the grant's resources, and
//!   a grant without any keeps the default audience
//!   ([`crate::jwt::access_token_audience`]).

use std::collections::BTreeSet;

use url::{Host, Url};

use crate::OAuthError;
use crate::redirect;

/// The OpenID Connect scopes this server gives meaning to: what a client
/// registered without scopes of its own may be granted.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];
/// The most scopes a client may register, or a request may ask for.
pub const MAX_SCOPES: usize = 32;
/// The longest scope value accepted.
pub const MAX_SCOPE_LEN: usize = 128;
/// The most resources a client may register, or a request may name.
pub const MAX_RESOURCES: usize = 20;
/// The longest resource URI accepted.
pub const MAX_RESOURCE_LEN: usize = redirect::MAX_LEN;

/// The scopes a client gets when none are registered for it.
pub fn default_scopes() -> Vec<String> {
    OIDC_SCOPES.iter().map(|s| (*s).to_owned()).collect()
}

/// Whether `s` is one scope value (RFC 6749 §3.3: `1*( %x21 / %x23-5B /
/// %x5D-7E )`) of at most [`MAX_SCOPE_LEN`] bytes.
pub fn is_scope_value(s: &str) -> bool {
    s.len() <= MAX_SCOPE_LEN && latchkey_store::consents::is_scope_token(s)
}

/// The scope values of a request's `scope` parameter, each once; extra
/// spaces are tolerated. `invalid_scope` for anything that is not a list of
/// at most [`MAX_SCOPES`] scope values.
pub fn parse_scope(scope: &str) -> Result<BTreeSet<String>, OAuthError> {
    let values: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if values.len() > MAX_SCOPES || !values.iter().all(|s| is_scope_value(s)) {
        return Err(OAuthError::invalid_scope(
            "The scope is not a list of scope values.",
        ));
    }
    Ok(values.into_iter().map(str::to_owned).collect())
}

/// `invalid_scope` naming the first scope asked for that `allowed` lacks.
/// (A scope value cannot contain a quote or a backslash, so it is safe in
/// an `error_description`.)
pub fn check_allowed_scopes(
    asked: &BTreeSet<String>,
    allowed: &BTreeSet<String>,
) -> Result<(), OAuthError> {
    match asked.iter().find(|s| !allowed.contains(*s)) {
        None => Ok(()),
        Some(s) => Err(OAuthError::invalid_scope(format!(
            "The scope {s} is not allowed for this application."
        ))),
    }
}

/// Why a resource URI cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourceUriError {
    #[error("the resource URI is empty")]
    Empty,
    #[error("the resource URI is longer than {MAX_RESOURCE_LEN} characters")]
    TooLong,
    #[error(
        "the resource URI contains whitespace, a control character, a quote, angle brackets or a backslash"
    )]
    ForbiddenCharacter,
    #[error("the resource URI is not an absolute URI")]
    NotAbsolute,
    #[error("the resource URI has a fragment (#…), which RFC 8707 §2 forbids")]
    Fragment,
    #[error("the resource URI carries a user name or password")]
    Userinfo,
    #[error("the resource URI has no host")]
    MissingHost,
    #[error("plain http is allowed only for localhost (localhost, 127.0.0.1, [::1]); use https")]
    InsecureHttp,
    #[error("the scheme {0:?} is not allowed for a resource: use https (or http on localhost)")]
    UnsupportedScheme(String),
}

/// Checks that `uri` may be registered as a resource: an absolute `https`
/// URI, or `http` on localhost, with a host, without a fragment (RFC 8707
/// §2) or user name. It is stored as given and matched byte-exactly.
pub fn validate_resource(uri: &str) -> Result<(), ResourceUriError> {
    if uri.is_empty() {
        return Err(ResourceUriError::Empty);
    }
    if uri.len() > MAX_RESOURCE_LEN {
        return Err(ResourceUriError::TooLong);
    }
    // The URI becomes a token's `aud` and appears in listings: nothing the
    // URL parser would silently drop or reinterpret, and nothing that needs
    // escaping in JSON or an HTTP header.
    if uri
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '\\' | '"' | '<' | '>'))
    {
        return Err(ResourceUriError::ForbiddenCharacter);
    }
    if uri.contains('#') {
        return Err(ResourceUriError::Fragment);
    }
    let url = Url::parse(uri).map_err(|_| ResourceUriError::NotAbsolute)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ResourceUriError::Userinfo);
    }
    match url.scheme() {
        "https" | "http" if !redirect::has_written_authority(uri) => {
            Err(ResourceUriError::MissingHost)
        }
        "https" => match url.host() {
            Some(Host::Domain(d)) if !d.is_empty() => Ok(()),
            Some(Host::Ipv4(_) | Host::Ipv6(_)) => Ok(()),
            _ => Err(ResourceUriError::MissingHost),
        },
        "http" if redirect::is_loopback(&url) => Ok(()),
        "http" => Err(ResourceUriError::InsecureHttp),
        other => Err(ResourceUriError::UnsupportedScheme(other.to_owned())),
    }
}

/// The resources a request names (its `resource` parameters, each once),
/// if `within` holds every one; `invalid_target` otherwise (RFC 8707 §2),
/// with `outside` as the description. None named: an empty set.
pub fn resources_within(
    asked: &[&str],
    within: &BTreeSet<String>,
    outside: &str,
) -> Result<BTreeSet<String>, OAuthError> {
    let asked: BTreeSet<&str> = asked.iter().copied().filter(|r| !r.is_empty()).collect();
    if asked.len() > MAX_RESOURCES {
        return Err(OAuthError::invalid_target(format!(
            "At most {MAX_RESOURCES} resources may be named."
        )));
    }
    for r in &asked {
        if validate_resource(r).is_err() {
            return Err(OAuthError::invalid_target(
                "A resource must be an absolute https URI (http only on localhost) without a fragment.",
            ));
        }
        if !within.contains(*r) {
            return Err(OAuthError::invalid_target(outside));
        }
    }
    Ok(asked.into_iter().map(str::to_owned).collect())
}

/// The resources of a token request made with a grant (a code or a refresh
/// token): those named, if the grant covers each, or all of the grant's
/// when none is named.
pub fn narrowed_resources(
    asked: &[&str],
    granted: &BTreeSet<String>,
) -> Result<BTreeSet<String>, OAuthError> {
    let named = resources_within(
        asked,
        granted,
        "A resource asked for is not one the grant was authorized for.",
    )?;
    Ok(if named.is_empty() {
        granted.clone()
    } else {
        named
    })
}

/// What the description says when a client names a resource not
/// registered for it.
pub const NOT_REGISTERED: &str = "A resource asked for is not one this application may use.";

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn scope_values_follow_rfc_6749() {
        for ok in [
            "openid",
            "orders:read",
            "a",
            "https://api.example.com/x.read",
            "!#[]~",
        ] {
            assert!(is_scope_value(ok), "{ok:?}");
        }
        let long = "a".repeat(MAX_SCOPE_LEN + 1);
        for bad in [
            "",
            "a b",
            "quo\"te",
            "back\\slash",
            "tab\t",
            "é",
            long.as_str(),
        ] {
            assert!(!is_scope_value(bad), "{bad:?}");
        }
        assert_eq!(
            parse_scope(" openid  email openid ").unwrap(),
            set(&["email", "openid"])
        );
        assert!(parse_scope("").unwrap().is_empty());
        assert_eq!(parse_scope("a\"b").unwrap_err().code(), "invalid_scope");
        let many = (0..=MAX_SCOPES)
            .map(|i| format!("s{i}"))
            .collect::<Vec<_>>();
        assert_eq!(
            parse_scope(&many.join(" ")).unwrap_err().code(),
            "invalid_scope"
        );
    }

    #[test]
    fn only_allowed_scopes_pass_and_the_refusal_names_the_first_other() {
        let allowed = set(&["openid", "orders:read"]);
        assert!(check_allowed_scopes(&set(&["orders:read"]), &allowed).is_ok());
        assert!(check_allowed_scopes(&set(&[]), &allowed).is_ok());
        let e = check_allowed_scopes(&set(&["openid", "orders:write"]), &allowed).unwrap_err();
        assert_eq!(e.code(), "invalid_scope");
        assert!(e.description().contains("orders:write"), "{e}");
    }

    #[test]
    fn acceptable_resource_uris_are_accepted() {
        for ok in [
            "https://api.example.com",
            "https://api.example.com/",
            "https://api.example.com/orders/v1",
            "https://api.example.com:8443/x?tenant=a",
            "https://192.0.2.7/api",
            "https://[2001:db8::1]/api",
            "http://localhost:9000/api",
            "http://127.0.0.1:9000/",
            "http://[::1]/",
        ] {
            assert_eq!(validate_resource(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn each_bad_resource_uri_is_refused_with_its_reason() {
        use ResourceUriError as E;
        let long = format!("https://api.example.com/{}", "a".repeat(MAX_RESOURCE_LEN));
        let cases: Vec<(&str, E)> = vec![
            ("", E::Empty),
            (long.as_str(), E::TooLong),
            ("https://api.example.com/a b", E::ForbiddenCharacter),
            ("https://api.example.com/\"x\"", E::ForbiddenCharacter),
            ("https://api.example.com\\x", E::ForbiddenCharacter),
            ("https://api.example.com/#frag", E::Fragment),
            ("https://api.example.com/#", E::Fragment),
            ("/orders", E::NotAbsolute),
            ("api.example.com", E::NotAbsolute),
            ("https://user:pw@api.example.com/", E::Userinfo),
            ("https:///orders", E::MissingHost),
            ("https:api.example.com", E::MissingHost),
            ("http://api.example.com/", E::InsecureHttp),
            ("http://10.0.0.1/", E::InsecureHttp),
            ("urn:example:orders", E::UnsupportedScheme("urn".into())),
            (
                "com.example.app:/cb",
                E::UnsupportedScheme("com.example.app".into()),
            ),
            ("ftp://api.example.com/", E::UnsupportedScheme("ftp".into())),
        ];
        for (uri, reason) in cases {
            assert_eq!(validate_resource(uri), Err(reason), "{uri:?}");
        }
    }

    #[test]
    fn named_resources_must_each_be_registered_and_match_exactly() {
        let registered = set(&[
            "https://api.example.com/orders",
            "https://billing.example.com",
        ]);
        assert_eq!(
            resources_within(
                &[
                    "https://api.example.com/orders",
                    "https://api.example.com/orders"
                ],
                &registered,
                NOT_REGISTERED
            )
            .unwrap(),
            set(&["https://api.example.com/orders"])
        );
        assert!(
            resources_within(&[], &registered, NOT_REGISTERED)
                .unwrap()
                .is_empty()
        );
        for other in [
            "https://api.example.com/orders/",
            "https://API.example.com/orders",
            "https://api.example.com/orders#x",
            "https://billing.example.com/",
            "not a uri",
        ] {
            let e = resources_within(&[other], &registered, NOT_REGISTERED).unwrap_err();
            assert_eq!(e.code(), "invalid_target", "{other:?}");
        }
    }

    #[test]
    fn a_token_request_may_narrow_the_grants_resources_never_widen_them() {
        let granted = set(&["https://a.example.com", "https://b.example.com"]);
        assert_eq!(narrowed_resources(&[], &granted).unwrap(), granted);
        assert_eq!(
            narrowed_resources(&["https://b.example.com"], &granted).unwrap(),
            set(&["https://b.example.com"])
        );
        let e = narrowed_resources(&["https://c.example.com"], &granted).unwrap_err();
        assert_eq!(e.code(), "invalid_target");
        let none = BTreeSet::new();
        assert!(narrowed_resources(&[], &none).unwrap().is_empty());
        assert_eq!(
            narrowed_resources(&["https://a.example.com"], &none)
                .unwrap_err()
                .code(),
            "invalid_target"
        );
    }
}
