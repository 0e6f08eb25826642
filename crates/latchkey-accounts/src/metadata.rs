//! Authenticator metadata: importing a FIDO MDS3 blob (verified, stored,
//! audited) and what is known about it. The command line imports through
//! this one operation.

use std::sync::Arc;

use chrono::{DateTime, NaiveTime, Utc};
use latchkey_core::{AuditEventKind, SharedClock};
use latchkey_passkey::mds::{self, MdsBlob, MdsError, TrustAnchor};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::authenticator_metadata::{
    self as stored, MetadataBlob, NewMetadataBlob, NewMetadataEntry,
};
use latchkey_store::{Db, StoreError, write_transaction};
use uuid::Uuid;

use crate::error::AccountsError;

/// What an import stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMetadata {
    pub serial: i64,
    pub next_update: DateTime<Utc>,
    /// FIDO2 models stored (U2F and UAF entries are not).
    pub entries: usize,
    /// The blob's `nextUpdate` has passed (it was accepted within the grace
    /// window): a newer blob should be downloaded soon.
    pub past_next_update: bool,
}

/// The last imported blob, if any, and whether it is past `nextUpdate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataStatus {
    pub blob: Option<MetadataBlob>,
    pub past_next_update: bool,
}

/// Imports and reads authenticator metadata.
#[derive(Debug, Clone)]
pub struct Metadata {
    db: Db,
    audit: Arc<AuditChain>,
    clock: SharedClock,
    anchor: TrustAnchor,
}

impl Metadata {
    /// `anchor` is the root blobs must chain to: [`TrustAnchor::fido`] in
    /// production; tests pass their own.
    pub fn new(db: Db, audit: Arc<AuditChain>, clock: SharedClock, anchor: TrustAnchor) -> Self {
        Self {
            db,
            audit,
            clock,
            anchor,
        }
    }

    /// Verifies `blob` (the JWT as downloaded) and, only if it verifies,
    /// replaces the stored models with its FIDO2 entries and audits the
    /// import as `actor`, in one transaction. A refused blob changes
    /// nothing. See [`mds::verify_blob`] for what is checked.
    pub async fn import(
        &self,
        blob: String,
        actor: &str,
    ) -> Result<ImportedMetadata, AccountsError> {
        let now = self.clock.now();
        let (anchor, audit, actor) = (self.anchor.clone(), self.audit.clone(), actor.to_owned());
        self.db
            .run(move |conn| {
                let stored_serial = stored::last_blob(conn)?.map(|b| b.serial);
                let verified = match mds::verify_blob(&blob, &anchor, now, stored_serial) {
                    Ok(v) => v,
                    Err(e) => return Ok(Err(e)),
                };
                let record = NewMetadataBlob {
                    serial: verified.serial,
                    next_update: start_of(&verified),
                    sha256: sha256_hex(blob.trim().as_bytes()),
                };
                let entries = to_store(&verified);
                let imported = ImportedMetadata {
                    serial: verified.serial,
                    next_update: record.next_update,
                    entries: entries.len(),
                    past_next_update: verified.is_past_next_update(now),
                };
                let written = write_transaction(conn, |conn| {
                    stored::replace_all(conn, &record, &entries, now)?;
                    audit.append(
                        conn,
                        now,
                        &NewAuditEvent::new(AuditEventKind::MetadataImported)
                            .actor(&actor)
                            .detail(serde_json::json!({
                                "serial": record.serial,
                                "next_update": verified.next_update.to_string(),
                                "entries": entries.len(),
                                "sha256": record.sha256,
                            })),
                    )?;
                    Ok(())
                });
                match written {
                    Ok(()) => Ok(Ok(imported)),
                    // A concurrent import stored a newer blob in between.
                    Err(StoreError::Conflict(_)) => Ok(Err(MdsError::Rollback {
                        serial: verified.serial,
                        stored: stored::last_blob(conn)?.map_or(verified.serial, |b| b.serial),
                    })),
                    Err(e) => Err(e),
                }
            })
            .await?
            .map_err(AccountsError::from)
    }

    /// The last imported blob and whether it is past its `nextUpdate`.
    pub async fn status(&self) -> Result<MetadataStatus, AccountsError> {
        let now = self.clock.now();
        let blob = self.db.run(stored::last_blob).await?;
        let past_next_update = blob
            .as_ref()
            .is_some_and(|b| mds::is_past_next_update(b.next_update.date_naive(), now));
        Ok(MetadataStatus {
            blob,
            past_next_update,
        })
    }

    /// The model name for an AAGUID: the imported metadata's description,
    /// else the built-in table of common models.
    pub async fn model_name(&self, aaguid: Uuid) -> Result<Option<String>, AccountsError> {
        if aaguid.is_nil() {
            return Ok(None);
        }
        let entry = self.db.run(move |conn| stored::find(conn, &aaguid)).await?;
        Ok(entry
            .map(|e| e.description)
            .filter(|d| !d.is_empty())
            .or_else(|| latchkey_passkey::model_for_aaguid(&aaguid).map(str::to_owned)))
    }
}

/// Midnight UTC of the blob's `nextUpdate` day.
fn start_of(blob: &MdsBlob) -> DateTime<Utc> {
    blob.next_update.and_time(NaiveTime::MIN).and_utc()
}

fn to_store(blob: &MdsBlob) -> Vec<NewMetadataEntry> {
    blob.entries
        .iter()
        .map(|e| NewMetadataEntry {
            aaguid: e.aaguid,
            description: e.description.clone(),
            authenticator_version: e.authenticator_version,
            key_protection: e.key_protection.clone(),
            attestation_roots: e.attestation_root_certificates.clone(),
            certification_level: e.certification_level.map(|l| l.as_str().to_owned()),
            status_reports: serde_json::to_value(&e.status_reports)
                .unwrap_or(serde_json::Value::Array(Vec::new())),
        })
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
