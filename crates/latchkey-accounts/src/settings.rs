//! Instance settings changed at run time by an administrator from the
//! console (`latchkey_store::live_settings`): self sign-up on or off. Each
//! change is audited (`setting.changed`, old and new value) in the
//! transaction that stores it; the flows read the stored value at each use.

use chrono::{DateTime, Utc};
use latchkey_core::AuditEventKind;
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::live_settings::{
    self as live, LiveSettings, REFRESH_LIFETIME, REFRESH_LIFETIME_MAX, REFRESH_LIFETIME_MIN,
    SELF_SIGNUP,
};
use latchkey_store::{DbConnection, StoreError, users, write_transaction};
use serde_json::json;

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::service::{Accounts, ActiveSession};

/// One setting as an administrator changes it: its audit subject and
/// name, how to read it from the stored values, how to store it, and how
/// the audit event shows a value.
struct Setting<T> {
    subject: &'static str,
    name: &'static str,
    read: fn(&live::Values) -> T,
    write: fn(&mut DbConnection, T, DateTime<Utc>) -> Result<(), StoreError>,
    shown: fn(T) -> serde_json::Value,
}

const SELF_SIGNUP_SETTING: Setting<bool> = Setting {
    subject: SELF_SIGNUP,
    name: "self_signup",
    read: |v| v.self_signup,
    write: LiveSettings::set_self_signup_in,
    shown: |open| json!(open),
};

const REFRESH_LIFETIME_SETTING: Setting<chrono::Duration> = Setting {
    subject: REFRESH_LIFETIME,
    name: "refresh_token_lifetime_hours",
    read: |v| v.refresh_lifetime,
    write: live::set_refresh_lifetime_in,
    shown: |d| json!(d.num_hours()),
};

impl Accounts {
    /// Opens or closes self sign-up on behalf of the administrator signed
    /// in as `me` (fresh step-up; the admin role checked in the
    /// transaction). `Ok(false)` when it was so already (nothing recorded).
    pub async fn set_self_signup(
        &self,
        me: &ActiveSession,
        open: bool,
        client: &ClientInfo,
    ) -> Result<bool, AccountsError> {
        self.change_setting(me, client, SELF_SIGNUP_SETTING, open)
            .await
    }

    /// Sets how long new refresh-token families live, in whole hours, on
    /// behalf of the administrator signed in as `me`. Refused outside 1 to
    /// 2160 hours (90 days), nothing changed. Families issued before keep
    /// their lifetime. `Ok(false)` when it was so already.
    pub async fn set_refresh_lifetime(
        &self,
        me: &ActiveSession,
        hours: i64,
        client: &ClientInfo,
    ) -> Result<bool, AccountsError> {
        if !(MIN_HOURS..=MAX_HOURS).contains(&hours) {
            return Err(AccountsError::invalid(
                "lifetime_out_of_range",
                "A refresh token lives between 1 and 2160 hours (90 days).",
            ));
        }
        let lifetime = chrono::Duration::hours(hours);
        self.change_setting(me, client, REFRESH_LIFETIME_SETTING, lifetime)
            .await
    }

    /// Stores `new` for `setting` if it differs, with its audit event
    /// (old and new value), in one transaction that also checks the caller
    /// is an enabled administrator; a fresh step-up first.
    async fn change_setting<T>(
        &self,
        me: &ActiveSession,
        client: &ClientInfo,
        setting: Setting<T>,
        new: T,
    ) -> Result<bool, AccountsError>
    where
        T: PartialEq + Copy + Send + 'static,
    {
        self.require_step_up(me)?;
        let admin = me.user_id();
        let (audit, now, settings) = (self.audit(), self.now(), self.settings().clone());
        let (ip, request_id) = (client.ip.clone(), client.request_id.clone());
        let changed = self
            .db()
            .run(move |c| {
                write_transaction(c, |c| {
                    if !users::is_enabled_admin(c, admin)? {
                        return Ok(Err(AccountsError::AdminRequired));
                    }
                    let old = (setting.read)(&settings.values_in(c)?);
                    if old == new {
                        return Ok(Ok(false));
                    }
                    (setting.write)(c, new, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::SettingChanged)
                            .actor(admin)
                            .subject(setting.subject)
                            .ip(&ip)
                            .request_id(request_id.as_deref())
                            .detail(json!({
                                "setting": setting.name,
                                "old": (setting.shown)(old),
                                "new": (setting.shown)(new),
                            })),
                    )?;
                    Ok(Ok(true))
                })
            })
            .await??;
        self.settings().forget();
        Ok(changed)
    }
}

/// The bounds of the refresh-token lifetime, in hours, for messages.
const MIN_HOURS: i64 = REFRESH_LIFETIME_MIN.num_hours();
const MAX_HOURS: i64 = REFRESH_LIFETIME_MAX.num_hours();
