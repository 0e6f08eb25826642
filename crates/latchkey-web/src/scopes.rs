//! What a scope lets an application see or do, in words: one table for the
//! consent page (what is asked) and the account page (what was allowed), so
//! the two always say the same thing.

use crate::chrome::Chrome;

/// The scopes this server defines, with their descriptions' messages.
pub const DESCRIBED: &[(&str, &str)] = &[
    ("openid", "scope-openid"),
    ("profile", "scope-profile"),
    ("email", "scope-email"),
    ("offline_access", "scope-offline-access"),
];

/// The description of `scope` in the page's language. A scope registered
/// for a client (an API permission) or otherwise unknown is shown by its
/// name.
pub fn describe(chrome: &Chrome, scope: &str) -> String {
    DESCRIBED
        .iter()
        .find(|(name, _)| *name == scope)
        .map_or_else(
            || chrome.t1("scope-other", "scope", scope),
            |(_, key)| chrome.t(key),
        )
}

/// Descriptions of `scopes`, in the order given.
pub fn describe_all<'a>(
    chrome: &Chrome,
    scopes: impl IntoIterator<Item = &'a String>,
) -> Vec<String> {
    scopes.into_iter().map(|s| describe(chrome, s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(scope: &str) -> String {
        super::describe(&Chrome::fallback(), scope)
    }

    #[test]
    fn standard_scopes_have_descriptions_and_others_are_shown_by_name() {
        assert_eq!(describe("email"), "your email address");
        assert_eq!(describe("profile"), "your name and username");
        assert_eq!(describe("openid"), "your account id");
        assert_eq!(
            describe("offline_access"),
            "access while you are away (refresh tokens)"
        );
        assert_eq!(describe("invoices:read"), "the permission “invoices:read”");
        assert_eq!(
            describe("Email"),
            "the permission “Email”",
            "exact names only"
        );
    }

    #[test]
    fn every_described_scope_is_listed_once() {
        let mut names: Vec<&str> = DESCRIBED.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DESCRIBED.len());
    }
}
