//! Secrets never print themselves. A token is [`PlainToken`] only between its
//! creation and the moment it is shown or sent once; storage keeps a
//! [`HashedToken`].

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore as _;
use ring::digest;
use subtle::ConstantTimeEq as _;

/// Any secret value. `Debug` prints only `Secret(<redacted>)`; there is no
/// `Display`, so `format!("{}", secret)` does not compile.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret value. Call sites are easy to find with grep.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

/// The kinds of bearer token Latchkey issues. Each carries a recognisable
/// prefix, so a leaked token can be identified by secret scanners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Session,
    Bootstrap,
    Invitation,
    ClientSecret,
    AuthorizationCode,
    RefreshToken,
    CancelLink,
    EnrolmentGrant,
    EmailVerification,
}

impl TokenKind {
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Session => "lks_",
            Self::Bootstrap => "lkb_",
            Self::Invitation => "lki_",
            Self::ClientSecret => "lkcs_",
            Self::AuthorizationCode => "lkc_",
            Self::RefreshToken => "lkr_",
            Self::CancelLink => "lkx_",
            Self::EnrolmentGrant => "lke_",
            Self::EmailVerification => "lkv_",
        }
    }
}

/// A freshly generated token: prefix + 256 random bits, URL-safe.
#[derive(Clone)]
pub struct PlainToken {
    kind: TokenKind,
    value: String,
}

impl PlainToken {
    pub fn generate(kind: TokenKind) -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self {
            kind,
            value: format!("{}{}", kind.prefix(), URL_SAFE_NO_PAD.encode(bytes)),
        }
    }

    /// Wraps a token presented by a client. Returns `None` when it does not
    /// carry the expected prefix or is implausibly long.
    pub fn from_presented(kind: TokenKind, value: &str) -> Option<Self> {
        (value.starts_with(kind.prefix()) && value.len() <= 256).then(|| Self {
            kind,
            value: value.to_owned(),
        })
    }

    pub fn kind(&self) -> TokenKind {
        self.kind
    }

    pub fn expose(&self) -> &str {
        &self.value
    }

    pub fn hashed(&self) -> HashedToken {
        HashedToken::of(&self.value)
    }
}

impl fmt::Debug for PlainToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PlainToken({:?}, <redacted>)", self.kind)
    }
}

/// SHA-256 of a high-entropy token: what storage keeps and looks up by.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HashedToken([u8; 32]);

impl HashedToken {
    pub fn of(token: &str) -> Self {
        let d = digest::digest(&digest::SHA256, token.as_bytes());
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        Self(out)
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(bytes).ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex, for use as a key in stores that index text.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Constant-time comparison.
    pub fn matches(&self, other: &HashedToken) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for HashedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashedToken(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print_their_value() {
        let s = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{s:?}"), "Secret(<redacted>)");
        let t = PlainToken::generate(TokenKind::Session);
        assert!(!format!("{t:?}").contains(t.expose()));
        assert!(!format!("{:?}", t.hashed()).contains(&t.hashed().to_hex()));
    }

    #[test]
    fn tokens_carry_their_prefix_and_256_bits() {
        let t = PlainToken::generate(TokenKind::RefreshToken);
        assert!(t.expose().starts_with("lkr_"));
        assert_eq!(t.expose().len(), 4 + 43);
        assert_ne!(
            t.expose(),
            PlainToken::generate(TokenKind::RefreshToken).expose()
        );
    }

    #[test]
    fn presented_token_must_have_the_right_prefix() {
        let t = PlainToken::generate(TokenKind::Session);
        assert!(PlainToken::from_presented(TokenKind::Session, t.expose()).is_some());
        assert!(PlainToken::from_presented(TokenKind::RefreshToken, t.expose()).is_none());
    }

    #[test]
    fn hashed_token_matches_only_itself() {
        let t = PlainToken::generate(TokenKind::Session);
        let h = t.hashed();
        assert!(h.matches(&HashedToken::of(t.expose())));
        assert!(!h.matches(&PlainToken::generate(TokenKind::Session).hashed()));
        assert_eq!(HashedToken::from_bytes(h.as_bytes()), Some(h.clone()));
        assert_eq!(h.to_hex().len(), 64);
    }
}
