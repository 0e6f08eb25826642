//! What a scope lets an application see or do, in words: one table for the
//! consent page (what is asked) and the account page (what was allowed), so
//! the two always say the same thing.

/// The scopes this server defines, with their descriptions.
pub const DESCRIBED: &[(&str, &str)] = &[
    ("openid", "your account id"),
    ("profile", "your name and username"),
    ("email", "your email address"),
    (
        "offline_access",
        "access while you are away (refresh tokens)",
    ),
];

/// The description of `scope`. A scope registered for a client (an API
/// permission) or otherwise unknown is shown by its name.
pub fn describe(scope: &str) -> String {
    DESCRIBED
        .iter()
        .find(|(name, _)| *name == scope)
        .map_or_else(
            || format!("the permission “{scope}”"),
            |(_, d)| (*d).to_owned(),
        )
}

/// Descriptions of `scopes`, in the order given.
pub fn describe_all<'a>(scopes: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    scopes.into_iter().map(|s| describe(s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
