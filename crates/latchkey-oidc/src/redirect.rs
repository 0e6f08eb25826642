//! Redirect URIs: what may be registered, and how a presented one is matched.
//!
//! # Matching is byte-exact
//!
//! A presented `redirect_uri` matches only a registered URI that is the very
//! same string (RFC 9700 §4.1.3, OAuth 2.1 §2.3.1): no case folding, no
//! percent-decoding, no trailing-slash or default-port normalisation, no
//! query or path prefix matching. Whatever the client registered is where
//! codes and errors go, and nothing else.
//!
//! The loopback port exception of RFC 8252 §7.3 (any port for
//! `http://127.0.0.1`) is deliberately **not** applied: a native app
//! registers each loopback URI it uses with its port, or a private-use
//! scheme. Keeping one rule for every client means one code path to audit;
//! the cost is that a native app picking a random port cannot be registered.
//!
//! # What may be registered
//!
//! [`validate`] accepts absolute URIs without a fragment, without userinfo,
//! without whitespace, control characters or backslashes, that are either
//! `https`, `http` on a loopback host (`localhost`, `127.0.0.1`, `[::1]`;
//! RFC 8252 §7.3), or a private-use scheme in reverse-domain form such as
//! `com.example.app:/callback` (RFC 8252 §7.1).

use url::{Host, Url};

/// The longest redirect URI accepted at registration.
pub const MAX_LEN: usize = 2000;

/// Returns the registered URI that is byte-for-byte equal to `presented`.
///
/// See the module documentation for why nothing is normalised and why the
/// loopback port exception is not applied.
pub fn exact_match<'a>(registered: &'a [String], presented: &str) -> Option<&'a str> {
    registered
        .iter()
        .map(String::as_str)
        .find(|r| r.as_bytes() == presented.as_bytes())
}

/// Why a redirect URI cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedirectUriError {
    #[error("the redirect URI is empty")]
    Empty,
    #[error("the redirect URI is longer than {MAX_LEN} characters")]
    TooLong,
    #[error("the redirect URI contains whitespace, a control character or a backslash")]
    ForbiddenCharacter,
    #[error("the redirect URI is not an absolute URI")]
    NotAbsolute,
    #[error("the redirect URI has a fragment (#…), which RFC 6749 §3.1.2 forbids")]
    Fragment,
    #[error("the redirect URI carries a user name or password")]
    Userinfo,
    #[error(
        "plain http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1]); use https"
    )]
    InsecureHttp,
    #[error("the redirect URI has no host")]
    MissingHost,
    #[error(
        "the scheme {0:?} is not allowed: use https, http on a loopback host, or a private-use scheme in reverse-domain form (com.example.app:/callback)"
    )]
    UnsupportedScheme(String),
}

/// Checks that `uri` may be registered as a redirect URI (see the module
/// documentation). The URI is stored as given; this does not normalise it.
pub fn validate(uri: &str) -> Result<(), RedirectUriError> {
    if uri.is_empty() {
        return Err(RedirectUriError::Empty);
    }
    if uri.len() > MAX_LEN {
        return Err(RedirectUriError::TooLong);
    }
    // The URL parser silently strips leading/trailing spaces, tabs and
    // newlines and reads `\` as `/` in special schemes: a registered string
    // must mean exactly what it says, so such characters are refused.
    if uri
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(RedirectUriError::ForbiddenCharacter);
    }
    if uri.contains('#') {
        return Err(RedirectUriError::Fragment);
    }
    let url = Url::parse(uri).map_err(|_| RedirectUriError::NotAbsolute)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(RedirectUriError::Userinfo);
    }
    if matches!(url.scheme(), "https" | "http") && !has_written_authority(uri) {
        return Err(RedirectUriError::MissingHost);
    }
    match url.scheme() {
        "https" => match url.host() {
            Some(Host::Domain(d)) if !d.is_empty() => Ok(()),
            Some(Host::Ipv4(_) | Host::Ipv6(_)) => Ok(()),
            _ => Err(RedirectUriError::MissingHost),
        },
        "http" => {
            if is_loopback(&url) {
                Ok(())
            } else {
                Err(RedirectUriError::InsecureHttp)
            }
        }
        scheme if is_private_use_scheme(scheme) => Ok(()),
        scheme => Err(RedirectUriError::UnsupportedScheme(scheme.to_owned())),
    }
}

/// Whether an http(s) URI is written with an authority: `scheme://` and a
/// host right after it. The URL parser repairs what is not: `https:///cb`,
/// `https:/cb` and `https:cb` all parse as `https://cb/` — a host invented
/// from the path, which is not what the registered string says.
pub(crate) fn has_written_authority(uri: &str) -> bool {
    let Some((_, rest)) = uri.split_once(':') else {
        return false;
    };
    let Some(authority) = rest.strip_prefix("//") else {
        return false;
    };
    !matches!(
        authority.bytes().next(),
        None | Some(b'/' | b'?' | b'#' | b':' | b'@')
    )
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d == "localhost",
        Some(Host::Ipv4(ip)) => ip == std::net::Ipv4Addr::LOCALHOST,
        Some(Host::Ipv6(ip)) => ip == std::net::Ipv6Addr::LOCALHOST,
        None => false,
    }
}

/// A reverse-domain scheme (`com.example.app`): at least two dot-separated
/// labels, none empty. This also rules out `javascript:`, `data:`, `file:`
/// and every other well-known scheme, none of which contains a dot.
fn is_private_use_scheme(scheme: &str) -> bool {
    let labels: Vec<&str> = scheme.split('.').collect();
    labels.len() >= 2 && labels.iter().all(|l| !l.is_empty())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn registered() -> Vec<String> {
        vec![
            "https://app.example.com/callback".to_owned(),
            "http://127.0.0.1:8765/cb".to_owned(),
            "com.example.app:/oauth2redirect".to_owned(),
        ]
    }

    #[test]
    fn exact_match_finds_only_the_identical_string() {
        let reg = registered();
        assert_eq!(
            exact_match(&reg, "https://app.example.com/callback"),
            Some("https://app.example.com/callback")
        );
        assert_eq!(
            exact_match(&reg, "com.example.app:/oauth2redirect"),
            Some("com.example.app:/oauth2redirect")
        );
        for other in [
            "",
            "https://app.example.com/callback/",
            "https://APP.example.com/callback",
            "https://app.example.com:443/callback",
            "https://app.example.com/callback?x=1",
            "https://app.example.com/callback#",
            "https://app.example.com/%63allback",
            "http://127.0.0.1:8766/cb",
            "http://127.0.0.1/cb",
            "http://localhost:8765/cb",
        ] {
            assert_eq!(exact_match(&reg, other), None, "{other:?} must not match");
        }
        assert_eq!(exact_match(&[], "https://app.example.com/callback"), None);
    }

    #[test]
    fn acceptable_redirect_uris_are_accepted() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com/cb?tenant=a&x=%20y",
            "https://app.example.com",
            "https://192.0.2.10/cb",
            "https://[2001:db8::1]:8443/cb",
            "http://localhost/cb",
            "http://localhost:8080/callback",
            "http://127.0.0.1:8765/cb",
            "http://[::1]:9000/cb",
            "com.example.app:/oauth2redirect",
            "com.example.app://callback/path",
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok:?} should be accepted");
        }
    }

    #[test]
    fn each_bad_redirect_uri_is_refused_with_its_reason() {
        use RedirectUriError as E;
        let long = format!("https://app.example.com/{}", "a".repeat(MAX_LEN));
        let cases: Vec<(&str, E)> = vec![
            ("", E::Empty),
            (long.as_str(), E::TooLong),
            ("/callback", E::NotAbsolute),
            ("app.example.com/callback", E::NotAbsolute),
            ("https://app.example.com/cb#frag", E::Fragment),
            ("https://app.example.com/cb#", E::Fragment),
            ("https://user:pw@app.example.com/cb", E::Userinfo),
            ("https://user@app.example.com/cb", E::Userinfo),
            ("http://app.example.com/cb", E::InsecureHttp),
            ("http://127.0.0.2/cb", E::InsecureHttp),
            ("http://localhost.example.com/cb", E::InsecureHttp),
            ("http://10.0.0.1/cb", E::InsecureHttp),
            (" https://app.example.com/cb", E::ForbiddenCharacter),
            ("https://app.example.com/cb\n", E::ForbiddenCharacter),
            ("https://app.example.com/c\tb", E::ForbiddenCharacter),
            (
                "https://evil.example\\@app.example.com/",
                E::ForbiddenCharacter,
            ),
            (
                "javascript:alert(1)",
                E::UnsupportedScheme("javascript".into()),
            ),
            ("data:text/html,hi", E::UnsupportedScheme("data".into())),
            ("file:///etc/passwd", E::UnsupportedScheme("file".into())),
            (
                "ftp://app.example.com/cb",
                E::UnsupportedScheme("ftp".into()),
            ),
            ("myapp:/cb", E::UnsupportedScheme("myapp".into())),
            ("https:///cb", E::MissingHost),
            ("https:////app.example.com/cb", E::MissingHost),
            ("https:/app.example.com/cb", E::MissingHost),
            ("https:app.example.com/cb", E::MissingHost),
            ("HTTPS:///cb", E::MissingHost),
            ("http:///localhost/cb", E::MissingHost),
            ("http:localhost/cb", E::MissingHost),
            ("https://:443/cb", E::NotAbsolute),
        ];
        for (uri, want) in cases {
            assert_eq!(validate(uri), Err(want), "{uri:?}");
        }
    }

    /// A mutation of a URI that a lax matcher might still accept.
    fn mutate(uri: &str, kind: u8, pick: usize) -> String {
        match kind % 10 {
            // Change the case of one ASCII letter.
            0 => {
                let letters: Vec<usize> = uri
                    .char_indices()
                    .filter(|(_, c)| c.is_ascii_alphabetic())
                    .map(|(i, _)| i)
                    .collect();
                let i = letters[pick % letters.len()];
                let mut s = uri.to_owned();
                let c = s.as_bytes()[i] as char;
                let flipped = if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                };
                s.replace_range(i..=i, &flipped.to_string());
                s
            }
            1 => format!("{uri}/"),
            2 => format!("{uri}?extra=1"),
            3 => format!("{uri}&extra=1"),
            4 => format!("{uri}/../evil"),
            5 => format!("{uri}#"),
            6 => uri.replacen("://", "://attacker@", 1),
            7 => uri.replacen(".com", &format!(".com:{}", 1 + pick % 65535), 1),
            8 => uri.replacen("/cb", "/%63b", 1),
            _ => uri[..uri.len() - 1 - pick % (uri.len() - 10)].to_owned(),
        }
    }

    proptest! {
        #[test]
        fn a_registered_uri_always_matches_itself(
            host in "[a-z]{1,12}",
            path in "[a-z0-9/]{0,20}",
        ) {
            let uri = format!("https://{host}.example.com/cb{path}");
            let reg = vec!["https://other.example.com/cb".to_owned(), uri.clone()];
            prop_assert_eq!(exact_match(&reg, &uri), Some(uri.as_str()));
        }

        #[test]
        fn no_mutation_of_a_registered_uri_matches(
            host in "[a-z]{1,12}",
            port in proptest::option::of(1u16..),
            path in "[a-z0-9]{0,12}",
            query in proptest::option::of("[a-z]{1,5}=[a-z0-9]{1,5}"),
            kind in any::<u8>(),
            pick in any::<usize>(),
        ) {
            let port = port.map(|p| format!(":{p}")).unwrap_or_default();
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            let uri = format!("https://{host}.example.com{port}/cb{path}{query}");
            let mutated = mutate(&uri, kind, pick);
            prop_assume!(mutated != uri);
            let reg = vec![uri];
            prop_assert_eq!(exact_match(&reg, &mutated), None, "{:?}", mutated);
        }

        #[test]
        fn a_different_loopback_port_never_matches(a in 1u16.., b in 1u16..) {
            prop_assume!(a != b);
            let reg = vec![format!("http://127.0.0.1:{a}/cb")];
            let presented = format!("http://127.0.0.1:{b}/cb");
            prop_assert_eq!(exact_match(&reg, &presented), None);
        }

        #[test]
        fn validate_never_panics(s in "\\PC{0,80}") {
            let _ = validate(&s);
        }
    }
}
