//! Changing the instance's branding (name, primary colour, support link,
//! logo) on behalf of an administrator. Every value is checked before
//! anything is read or written; a change is stored whole, with one
//! `setting.changed` audit event naming what changed (a logo by its hash
//! and size, never its bytes), in one transaction that also checks the
//! caller is an enabled administrator.

use latchkey_core::AuditEventKind;
use latchkey_core::branding::{BrandingError, Colour, check_name};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::branding::{self as store, Brand, Logo};
use latchkey_store::{users, write_transaction};
use serde_json::{Value, json};

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::service::{Accounts, ActiveSession};

/// What an administrator asks for: the form's text fields as typed, and
/// what to do with the logo.
#[derive(Debug, Clone, Default)]
pub struct BrandingForm {
    pub name: String,
    /// `#rrggbb`, or empty for the built-in palette.
    pub colour: String,
    /// An absolute URL, or empty for none.
    pub support_url: String,
    pub logo: LogoChange,
}

#[derive(Debug, Clone, Default)]
pub enum LogoChange {
    #[default]
    Keep,
    Remove,
    /// New bytes, checked here (type told from the content).
    Replace(Vec<u8>),
}

/// Checks a support link: `https` (or `http` to a loopback host), no user
/// name or password in it, at most 512 characters (the rule for every link
/// shown to people, [`latchkey_oidc::clients::presentation::check_link`]).
pub fn check_support_url(s: &str) -> Result<String, BrandingError> {
    latchkey_oidc::clients::presentation::check_link(s)
        .ok_or_else(|| BrandingError::SupportUrl(s.trim().to_owned()))
}

impl BrandingForm {
    /// The branding this form asks for, on top of `current` (for a kept
    /// logo), or the first value that is refused.
    pub fn checked(self, current: &Brand) -> Result<Brand, BrandingError> {
        let name = check_name(&self.name)?;
        let colour = match self.colour.trim() {
            "" => None,
            c => Some(Colour::parse_primary(c)?),
        };
        let support_url = match self.support_url.trim() {
            "" => None,
            u => Some(check_support_url(u)?),
        };
        let logo = match self.logo {
            LogoChange::Keep => current.logo.clone(),
            LogoChange::Remove => None,
            LogoChange::Replace(bytes) => Some(Logo::checked(bytes)?),
        };
        Ok(Brand {
            name,
            colour,
            support_url,
            logo,
        })
    }
}

/// What changed between two brandings, for the audit event; empty when
/// nothing did.
fn changes(old: &Brand, new: &Brand) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    let mut note = |field: &str, a: Value, b: Value| {
        if a != b {
            out.insert(field.to_owned(), json!({ "old": a, "new": b }));
        }
    };
    note("name", json!(old.name), json!(new.name));
    let colour = |b: &Brand| json!(b.colour.map(|c| c.to_string()));
    note("colour", colour(old), colour(new));
    note(
        "support_url",
        json!(old.support_url),
        json!(new.support_url),
    );
    let logo = |b: &Brand| {
        b.logo.as_ref().map_or(
            Value::Null,
            |l| json!({ "sha256_prefix": l.etag, "bytes": l.bytes.len(), "type": l.kind.mime() }),
        )
    };
    note("logo", logo(old), logo(new));
    out
}

impl Accounts {
    /// Stores the branding `form` asks for, on behalf of the administrator
    /// signed in as `me` (fresh step-up; the admin role checked in the
    /// transaction). Refused with the first bad value's sentence, nothing
    /// changed. Returns the names of the fields that changed (empty: it
    /// was so already, nothing recorded).
    pub async fn change_branding(
        &self,
        me: &ActiveSession,
        form: BrandingForm,
        client: &ClientInfo,
    ) -> Result<Vec<String>, AccountsError> {
        self.require_step_up(me)?;
        let live = self.settings().brand().clone();
        let current = live.current().await?;
        // Checked before the transaction; a kept logo is taken from the
        // transaction's own read below.
        let keep_logo = matches!(form.logo, LogoChange::Keep);
        let wanted = form.checked(&current).map_err(AccountsError::Branding)?;
        let admin = me.user_id();
        let (audit, now) = (self.audit(), self.now());
        let (ip, request_id) = (client.ip.clone(), client.request_id.clone());
        let live_in = live.clone();
        let changed = self
            .db()
            .run(move |c| {
                write_transaction(c, |c| {
                    if !users::is_enabled_admin(c, admin)? {
                        return Ok(Err(AccountsError::AdminRequired));
                    }
                    let old = live_in.current_in(c)?;
                    let mut new = wanted.clone();
                    if keep_logo {
                        new.logo = old.logo.clone();
                    }
                    let diff = changes(&old, &new);
                    if diff.is_empty() {
                        return Ok(Ok(Vec::new()));
                    }
                    store::store_in(c, &new, now)?;
                    let fields = diff.keys().cloned().collect();
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::SettingChanged)
                            .actor(admin)
                            .subject(store::SUBJECT)
                            .ip(&ip)
                            .request_id(request_id.as_deref())
                            .detail(json!({ "setting": "branding", "changes": diff })),
                    )?;
                    Ok(Ok(fields))
                })
            })
            .await??;
        live.forget();
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_links_must_be_https_or_loopback() {
        assert_eq!(
            check_support_url(" https://help.example.com/id ").as_deref(),
            Ok("https://help.example.com/id")
        );
        assert!(check_support_url("http://localhost:9000/help").is_ok());
        for bad in [
            "http://help.example.com",
            "javascript:alert(1)",
            "mailto:help@example.com",
            "https://user:pw@help.example.com",
            "/help",
            "",
        ] {
            assert!(check_support_url(bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(600));
        assert!(check_support_url(&long).is_err());
    }

    #[test]
    fn a_form_keeps_removes_or_replaces_the_logo() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"/>"#.to_vec();
        let current = Brand {
            logo: Some(Logo::checked(svg.clone()).unwrap()),
            ..Brand::default()
        };
        let form = |logo| BrandingForm {
            name: "Acme".into(),
            logo,
            ..BrandingForm::default()
        };
        assert!(
            form(LogoChange::Keep)
                .checked(&current)
                .unwrap()
                .logo
                .is_some()
        );
        assert!(
            form(LogoChange::Remove)
                .checked(&current)
                .unwrap()
                .logo
                .is_none()
        );
        let refused = form(LogoChange::Replace(b"GIF89a".to_vec())).checked(&current);
        assert_eq!(refused, Err(BrandingError::LogoType));
    }

    #[test]
    fn the_audit_detail_names_only_what_changed() {
        let old = Brand::default();
        let new = Brand {
            name: "Acme".into(),
            colour: Some(Colour([0x1f, 0x4f, 0xd1])),
            ..Brand::default()
        };
        let diff = changes(&old, &new);
        assert_eq!(diff.keys().collect::<Vec<_>>(), ["colour", "name"]);
        assert_eq!(diff["colour"]["new"], "#1f4fd1");
        assert!(changes(&new, &new).is_empty());
    }
}
