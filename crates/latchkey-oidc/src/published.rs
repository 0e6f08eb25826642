//! Documents served as they are, serialised once: the JWKS (once per key
//! ring, so a reload after a rotation brings a new one) and the discovery
//! document (once per provider). Each carries a strong ETag so that a
//! client revalidating gets `304 Not Modified` without a body.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest;
use serde::Serialize;

/// A serialised JSON document and its ETag.
#[derive(Debug, Clone)]
pub struct Published {
    body: Arc<[u8]>,
    etag: String,
}

impl Published {
    pub fn json(value: &impl Serialize) -> Self {
        // Serialising these documents (strings, numbers, keys) cannot fail.
        let body: Arc<[u8]> = serde_json::to_vec(value).unwrap_or_default().into();
        let hash = digest::digest(&digest::SHA256, &body);
        let etag = format!("\"{}\"", URL_SAFE_NO_PAD.encode(&hash.as_ref()[..16]));
        Self { body, etag }
    }

    /// The bytes, shared (cloning copies a pointer).
    pub fn body(&self) -> Arc<[u8]> {
        self.body.clone()
    }

    /// The strong ETag, quoted.
    pub fn etag(&self) -> &str {
        &self.etag
    }

    /// Whether an `If-None-Match` header value names this version
    /// (RFC 9110 §13.1.2: a list of tags, or `*`; weak comparison).
    pub fn matches(&self, if_none_match: &str) -> bool {
        names(if_none_match, &self.etag)
    }
}

/// Whether an `If-None-Match` header value names the quoted `etag`
/// (RFC 9110 §13.1.2: a list of tags, or `*`; weak comparison).
pub fn names(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_etag_follows_the_content_and_if_none_match_lists_are_understood() {
        let a = Published::json(&serde_json::json!({"keys": []}));
        let same = Published::json(&serde_json::json!({"keys": []}));
        let other = Published::json(&serde_json::json!({"keys": [1]}));
        assert_eq!(a.etag(), same.etag());
        assert_ne!(a.etag(), other.etag());
        assert_eq!(&*a.body(), br#"{"keys":[]}"#);
        assert!(a.matches(a.etag()));
        assert!(a.matches(&format!("\"x\", W/{}", a.etag())));
        assert!(a.matches("*"));
        assert!(!a.matches(other.etag()));
        assert!(!a.matches(""));
    }
}
