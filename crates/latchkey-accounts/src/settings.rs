//! Instance settings changed at run time by an administrator from the
//! console (`latchkey_store::live_settings`): self sign-up on or off. Each
//! change is audited (`setting.changed`, old and new value) in the
//! transaction that stores it; the flows read the stored value at each use.

use latchkey_core::AuditEventKind;
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::live_settings::{
    self as live, LiveSettings, REFRESH_LIFETIME, REFRESH_LIFETIME_MAX, REFRESH_LIFETIME_MIN,
    SELF_SIGNUP,
};
use latchkey_store::{users, write_transaction};
use serde_json::json;

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::service::{Accounts, ActiveSession};

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
                    let old = settings.values_in(c)?.self_signup;
                    if old == open {
                        return Ok(Ok(false));
                    }
                    LiveSettings::set_self_signup_in(c, open, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::SettingChanged)
                            .actor(admin)
                            .subject(SELF_SIGNUP)
                            .ip(&ip)
                            .request_id(request_id.as_deref())
                            .detail(json!({ "setting": "self_signup", "old": old, "new": open })),
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

impl Accounts {
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
        self.require_step_up(me)?;
        let lifetime = chrono::Duration::hours(hours);
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
                    let old = settings.values_in(c)?.refresh_lifetime;
                    if old == lifetime {
                        return Ok(Ok(false));
                    }
                    live::set_refresh_lifetime_in(c, lifetime, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::SettingChanged)
                            .actor(admin)
                            .subject(REFRESH_LIFETIME)
                            .ip(&ip)
                            .request_id(request_id.as_deref())
                            .detail(json!({
                                "setting": "refresh_token_lifetime_hours",
                                "old": old.num_hours(),
                                "new": hours,
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
