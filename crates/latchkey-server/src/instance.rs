//! First-start initialisation, safe with several nodes starting at once.

use anyhow::{Context as _, bail};
use chrono::{DateTime, Utc};
use latchkey_core::AuditEventKind;
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::seal::MasterKey;
use latchkey_store::{DbConnection, settings};
use ring::hmac;

const MASTER_KEY_CHECK: &str = "master_key_check";

/// What initialisation did.
#[derive(Debug, Default)]
pub struct InitReport {
    pub instance_id: String,
    pub initialised_now: bool,
    pub signing_key_created: Option<String>,
}

fn key_check(master: &MasterKey) -> String {
    let tag = hmac::sign(&master.keyed_hash_key("master-key-check"), b"latchkey");
    tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Records the instance id and the master key's fingerprint (refusing to go
/// on with a different key than the database was initialised with), audits
/// the first start, and makes sure a signing key exists.
pub fn initialise(
    conn: &mut DbConnection,
    master: &MasterKey,
    master_created: bool,
    master_origin: &str,
    audit: &AuditChain,
    now: DateTime<Utc>,
) -> anyhow::Result<InitReport> {
    let check = key_check(master);
    let (stored, _) = settings::set_if_absent(conn, MASTER_KEY_CHECK, &check, now)?;
    if stored != check {
        bail!(
            "the master key from {master_origin} is not the one this database was initialised with; \
             restore the original key (nothing sealed with it can be read otherwise)"
        );
    }
    let candidate = uuid::Uuid::new_v4().to_string();
    let (instance_id, initialised_now) =
        settings::set_if_absent(conn, settings::INSTANCE_ID, &candidate, now)?;
    if initialised_now {
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::InstanceInitialised)
                .actor("system")
                .subject(&instance_id)
                .detail(serde_json::json!({ "version": env!("CARGO_PKG_VERSION") })),
        )?;
        if master_created {
            audit.append(
                conn,
                now,
                &NewAuditEvent::new(AuditEventKind::MasterKeyCreated)
                    .actor("system")
                    .detail(serde_json::json!({ "location": master_origin })),
            )?;
        }
    }
    let signing_key_created = latchkey_oidc::keys::ensure_active_key(conn, master, audit, now)
        .context("creating the first signing key")?
        .map(|id| id.to_string());
    Ok(InitReport {
        instance_id,
        initialised_now,
        signing_key_created,
    })
}
