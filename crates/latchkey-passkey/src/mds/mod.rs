//! FIDO Metadata Service (MDS3) blobs: the signed list of authenticator
//! models the FIDO Alliance publishes at <https://mds3.fidoalliance.org/>.
//!
//! [`verify_blob`] checks a blob (the JWT exactly as downloaded) and returns
//! its entries. Pure: no I/O, and the time is passed in. Nothing in a blob is
//! trusted before all of this holds:
//!
//! - the JWS header's `alg` is RS256 or ES256 (nothing else, never `none`);
//! - the `x5c` chain leads, certificate by certificate (names, signatures,
//!   CA flags), to the trusted root — in production the FIDO Alliance's root,
//!   GlobalSign Root CA - R3, shipped inside this crate;
//! - every certificate of the chain, and the root, is valid at `now`;
//! - the leaf's key signs `header.payload`;
//! - `now` is no later than the blob's `nextUpdate` plus [`NEXT_UPDATE_GRACE_DAYS`];
//! - the blob's serial (`no`) is not lower than the serial already imported.

mod chain;
mod payload;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use chain::TrustAnchor;

/// How long after its `nextUpdate` a blob is still accepted. The FIDO
/// Alliance publishes a new blob about monthly and promises one by
/// `nextUpdate`; two weeks cover a late publication or a missed download on
/// an offline machine, while bounding how old the revocation news an import
/// brings can be. Past `nextUpdate` (grace or not) the status says so.
pub const NEXT_UPDATE_GRACE_DAYS: u64 = 14;

/// Why a metadata blob was refused. Nothing of a refused blob is used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MdsError {
    #[error("The metadata blob is malformed: {0}.")]
    Malformed(String),
    #[error("The metadata blob is signed with algorithm {0:?}; only RS256 and ES256 are accepted.")]
    UnsupportedAlgorithm(String),
    #[error(
        "The metadata blob's signature does not verify: it was changed after it was signed, or signed with another key."
    )]
    BadSignature,
    #[error("The metadata blob's certificate chain does not lead to the trusted root: {0}.")]
    UntrustedChain(String),
    #[error(
        "The certificate \"{subject}\" of the metadata blob's chain is not valid now (valid from {not_before} to {not_after} UTC)."
    )]
    CertificateNotValid {
        subject: String,
        not_before: String,
        not_after: String,
    },
    #[error(
        "The metadata blob is out of date: its nextUpdate was {next_update}, more than {grace_days} days ago. Download a current blob."
    )]
    PastNextUpdate {
        next_update: NaiveDate,
        grace_days: u64,
    },
    #[error(
        "The metadata blob has serial {serial}, older than the imported blob's serial {stored}; refusing to go back to older metadata."
    )]
    Rollback { serial: i64, stored: i64 },
}

impl MdsError {
    /// A stable code for logs and audit events.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "mds_malformed",
            Self::UnsupportedAlgorithm(_) => "mds_unsupported_algorithm",
            Self::BadSignature => "mds_bad_signature",
            Self::UntrustedChain(_) => "mds_untrusted_chain",
            Self::CertificateNotValid { .. } => "mds_certificate_not_valid",
            Self::PastNextUpdate { .. } => "mds_past_next_update",
            Self::Rollback { .. } => "mds_rollback",
        }
    }
}

/// A FIDO certification level, in increasing order of assurance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CertificationLevel {
    L1,
    #[serde(rename = "L1+")]
    L1Plus,
    L2,
    #[serde(rename = "L2+")]
    L2Plus,
    L3,
    #[serde(rename = "L3+")]
    L3Plus,
}

impl CertificationLevel {
    /// The level named by a status report's status (`FIDO_CERTIFIED` is
    /// the pre-level name of L1); `None` for statuses that are no level.
    pub fn from_status(status: &str) -> Option<Self> {
        Some(match status {
            "FIDO_CERTIFIED" | "FIDO_CERTIFIED_L1" => Self::L1,
            "FIDO_CERTIFIED_L1plus" => Self::L1Plus,
            "FIDO_CERTIFIED_L2" => Self::L2,
            "FIDO_CERTIFIED_L2plus" => Self::L2Plus,
            "FIDO_CERTIFIED_L3" => Self::L3,
            "FIDO_CERTIFIED_L3plus" => Self::L3Plus,
            _ => return None,
        })
    }

    /// The stored and displayed name: `L1`, `L1+`, … `L3+`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::L1 => "L1",
            Self::L1Plus => "L1+",
            Self::L2 => "L2",
            Self::L2Plus => "L2+",
            Self::L3 => "L3",
            Self::L3Plus => "L3+",
        }
    }

    /// The inverse of [`CertificationLevel::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::L1,
            Self::L1Plus,
            Self::L2,
            Self::L2Plus,
            Self::L3,
            Self::L3Plus,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }
}

/// One status report of an authenticator model (certification, revocation,
/// a user-verification bypass, …), as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReport {
    pub status: String,
    #[serde(rename = "effectiveDate", default)]
    pub effective_date: Option<NaiveDate>,
}

/// A FIDO2 authenticator model of the blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdsEntry {
    pub aaguid: Uuid,
    pub description: String,
    pub authenticator_version: Option<i64>,
    /// `keyProtection` of the statement: `hardware`, `secure_element`, …
    pub key_protection: Vec<String>,
    /// DER certificates that attestation statements of this model chain to.
    pub attestation_root_certificates: Vec<Vec<u8>>,
    pub status_reports: Vec<StatusReport>,
    /// From the latest `FIDO_CERTIFIED*` status report.
    pub certification_level: Option<CertificationLevel>,
}

/// A verified blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdsBlob {
    /// The blob's serial number (`no`); it only grows.
    pub serial: i64,
    pub next_update: NaiveDate,
    /// FIDO2 entries (those with an AAGUID); U2F and UAF entries are skipped.
    pub entries: Vec<MdsEntry>,
}

impl MdsBlob {
    /// Whether `now` is past the blob's `nextUpdate` (a newer blob should
    /// exist), grace window or not.
    pub fn is_past_next_update(&self, now: DateTime<Utc>) -> bool {
        is_past_next_update(self.next_update, now)
    }
}

/// Whether `now` is past `next_update` (the whole day counts as before).
pub fn is_past_next_update(next_update: NaiveDate, now: DateTime<Utc>) -> bool {
    now.date_naive() > next_update
}

/// Verifies `jwt` (a blob as downloaded) against `anchor` at `now`, and
/// refuses it if its serial is below `stored_serial` (the serial of the blob
/// imported before, if any). See the module documentation for what is
/// checked.
pub fn verify_blob(
    jwt: &str,
    anchor: &TrustAnchor,
    now: DateTime<Utc>,
    stored_serial: Option<i64>,
) -> Result<MdsBlob, MdsError> {
    let payload = chain::verify_jws(jwt.trim(), anchor, now)?;
    let blob = payload::parse(&payload)?;
    let deadline = blob
        .next_update
        .checked_add_days(Days::new(NEXT_UPDATE_GRACE_DAYS))
        .unwrap_or(NaiveDate::MAX);
    if now.date_naive() > deadline {
        return Err(MdsError::PastNextUpdate {
            next_update: blob.next_update,
            grace_days: NEXT_UPDATE_GRACE_DAYS,
        });
    }
    if let Some(stored) = stored_serial
        && blob.serial < stored
    {
        return Err(MdsError::Rollback {
            serial: blob.serial,
            stored,
        });
    }
    Ok(blob)
}
