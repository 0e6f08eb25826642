//! User input that account operations take, parsed into typed values
//! before anything is looked up.

use crate::error::AccountsError;

/// Usernames: 3–64 characters of `a-z 0-9 . _ - @`, case-folded.
pub fn parse_username(raw: &str) -> Result<String, AccountsError> {
    let u = raw.trim().to_lowercase();
    let ok = (3..=64).contains(&u.chars().count())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_@".contains(c));
    if ok {
        Ok(u)
    } else {
        Err(AccountsError::invalid(
            "invalid_username",
            "A username has 3 to 64 characters: letters, digits, '.', '-', '_' or '@'.",
        ))
    }
}

/// Display names: 1–100 characters, no control characters.
pub fn parse_display_name(raw: &str) -> Result<String, AccountsError> {
    let d = raw.trim();
    if d.is_empty() || d.chars().count() > 100 || d.chars().any(char::is_control) {
        return Err(AccountsError::invalid(
            "invalid_display_name",
            "A name has 1 to 100 characters and no control characters.",
        ));
    }
    Ok(d.to_owned())
}

/// Passkey labels: up to 64 characters, no control characters; blank is none.
pub fn parse_label(raw: &str) -> Result<Option<String>, AccountsError> {
    let l = raw.trim();
    if l.chars().count() > 64 || l.chars().any(char::is_control) {
        return Err(AccountsError::invalid(
            "invalid_label",
            "A passkey name has at most 64 characters and no control characters.",
        ));
    }
    Ok((!l.is_empty()).then(|| l.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_case_folded_and_limited() {
        assert_eq!(parse_username(" Alice.Smith ").unwrap(), "alice.smith");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("alice smith").is_err());
        assert!(parse_username("<script>").is_err());
        assert!(parse_display_name("\u{7}bell").is_err());
        assert!(parse_label(&"x".repeat(65)).is_err());
        assert_eq!(parse_label("  ").unwrap(), None);
    }
}
