//! Authenticator models from the last imported FIDO metadata blob, and the
//! record of that blob. An import replaces everything in one transaction:
//! readers see the old blob or the new one, never a mix.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{authenticator_metadata, metadata_blob};
use crate::{DbConnection, StoreError, from_db, to_db, write_transaction};

/// The only row id of `metadata_blob`.
const BLOB_ROW: i32 = 1;
/// PostgreSQL advisory lock serialising imports (delete-then-insert of two
/// concurrent imports would otherwise collide on the AAGUID keys).
const IMPORT_LOCK: i64 = 0x6d64_7333_696d_7074; // "mds3impt"

/// A model to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMetadataEntry {
    pub aaguid: Uuid,
    pub description: String,
    pub authenticator_version: Option<i64>,
    pub key_protection: Vec<String>,
    /// DER certificates.
    pub attestation_roots: Vec<Vec<u8>>,
    /// `L1` … `L3+`.
    pub certification_level: Option<String>,
    /// The status reports as published (a JSON array).
    pub status_reports: serde_json::Value,
}

/// A stored model, with the blob it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataEntry {
    pub aaguid: Uuid,
    pub description: String,
    pub authenticator_version: Option<i64>,
    pub key_protection: Vec<String>,
    pub attestation_roots: Vec<Vec<u8>>,
    pub certification_level: Option<String>,
    pub status_reports: serde_json::Value,
    pub blob_serial: i64,
    pub next_update: DateTime<Utc>,
    pub imported_at: DateTime<Utc>,
}

/// The blob an import comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMetadataBlob {
    pub serial: i64,
    /// Midnight UTC of the blob's `nextUpdate` day.
    pub next_update: DateTime<Utc>,
    /// SHA-256 of the blob as imported (hex), to recognise it later.
    pub sha256: String,
}

/// The last imported blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataBlob {
    pub serial: i64,
    pub next_update: DateTime<Utc>,
    pub entries: i64,
    pub sha256: String,
    pub imported_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = authenticator_metadata)]
struct EntryRow {
    aaguid: String,
    description: String,
    authenticator_version: Option<i64>,
    key_protection: String,
    attestation_roots: String,
    certification_level: Option<String>,
    status_reports: String,
    blob_serial: i64,
    next_update: NaiveDateTime,
    imported_at: NaiveDateTime,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = metadata_blob)]
struct BlobRow {
    id: i32,
    serial: i64,
    next_update: NaiveDateTime,
    entries: i64,
    sha256: String,
    imported_at: NaiveDateTime,
}

impl EntryRow {
    fn new(e: &NewMetadataEntry, blob: &NewMetadataBlob, now: DateTime<Utc>) -> Self {
        let roots: Vec<String> = e
            .attestation_roots
            .iter()
            .map(|c| STANDARD.encode(c))
            .collect();
        Self {
            aaguid: e.aaguid.to_string(),
            description: e.description.clone(),
            authenticator_version: e.authenticator_version,
            key_protection: serde_json::Value::from(e.key_protection.clone()).to_string(),
            attestation_roots: serde_json::Value::from(roots).to_string(),
            certification_level: e.certification_level.clone(),
            status_reports: e.status_reports.to_string(),
            blob_serial: blob.serial,
            next_update: to_db(blob.next_update),
            imported_at: to_db(now),
        }
    }

    fn into_entry(self) -> Result<MetadataEntry, StoreError> {
        let corrupt = |what: &str| {
            StoreError::Corrupt(format!("{what} of authenticator metadata {}", self.aaguid))
        };
        let aaguid = Uuid::parse_str(&self.aaguid).map_err(|_| corrupt("the AAGUID"))?;
        let key_protection: Vec<String> =
            serde_json::from_str(&self.key_protection).map_err(|_| corrupt("key protection"))?;
        let roots: Vec<String> = serde_json::from_str(&self.attestation_roots)
            .map_err(|_| corrupt("attestation roots"))?;
        let attestation_roots = roots
            .iter()
            .map(|r| STANDARD.decode(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| corrupt("attestation roots"))?;
        let status_reports =
            serde_json::from_str(&self.status_reports).map_err(|_| corrupt("status reports"))?;
        Ok(MetadataEntry {
            aaguid,
            description: self.description,
            authenticator_version: self.authenticator_version,
            key_protection,
            attestation_roots,
            certification_level: self.certification_level,
            status_reports,
            blob_serial: self.blob_serial,
            next_update: from_db(self.next_update),
            imported_at: from_db(self.imported_at),
        })
    }
}

/// Replaces every stored model with `entries` and records `blob`, in one
/// transaction. Refuses with [`StoreError::Conflict`] (and changes nothing)
/// when the stored blob has a higher serial: metadata never goes back,
/// even when two imports race.
pub fn replace_all(
    conn: &mut DbConnection,
    blob: &NewMetadataBlob,
    entries: &[NewMetadataEntry],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let rows: Vec<EntryRow> = entries
        .iter()
        .map(|e| EntryRow::new(e, blob, now))
        .collect();
    write_transaction(conn, |conn| {
        if let DbConnection::Pg(pg) = conn {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({IMPORT_LOCK})"))
                .execute(pg)?;
        }
        if let Some(current) = last_blob(conn)?
            && current.serial > blob.serial
        {
            return Err(StoreError::Conflict("a newer metadata blob"));
        }
        diesel::delete(authenticator_metadata::table).execute(conn)?;
        // One statement per model: a few hundred, inside one transaction.
        for row in &rows {
            diesel::insert_into(authenticator_metadata::table)
                .values(row)
                .execute(conn)?;
        }
        diesel::delete(metadata_blob::table).execute(conn)?;
        diesel::insert_into(metadata_blob::table)
            .values(BlobRow {
                id: BLOB_ROW,
                serial: blob.serial,
                next_update: to_db(blob.next_update),
                entries: i64::try_from(rows.len()).unwrap_or(i64::MAX),
                sha256: blob.sha256.clone(),
                imported_at: to_db(now),
            })
            .execute(conn)?;
        Ok(())
    })
}

/// The last imported blob, if any.
pub fn last_blob(conn: &mut DbConnection) -> Result<Option<MetadataBlob>, StoreError> {
    let row: Option<BlobRow> = metadata_blob::table
        .filter(metadata_blob::id.eq(BLOB_ROW))
        .select(BlobRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row.map(|r| MetadataBlob {
        serial: r.serial,
        next_update: from_db(r.next_update),
        entries: r.entries,
        sha256: r.sha256,
        imported_at: from_db(r.imported_at),
    }))
}

/// The stored model with this AAGUID.
pub fn find(conn: &mut DbConnection, aaguid: &Uuid) -> Result<Option<MetadataEntry>, StoreError> {
    authenticator_metadata::table
        .filter(authenticator_metadata::aaguid.eq(aaguid.to_string()))
        .select(EntryRow::as_select())
        .first(conn)
        .optional()?
        .map(EntryRow::into_entry)
        .transpose()
}

/// Every stored model, by description then AAGUID.
pub fn list(conn: &mut DbConnection) -> Result<Vec<MetadataEntry>, StoreError> {
    authenticator_metadata::table
        .order((
            authenticator_metadata::description.asc(),
            authenticator_metadata::aaguid.asc(),
        ))
        .select(EntryRow::as_select())
        .load(conn)?
        .into_iter()
        .map(EntryRow::into_entry)
        .collect()
}
