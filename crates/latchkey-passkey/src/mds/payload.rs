//! The payload of a verified blob: serial, nextUpdate and the FIDO2 entries.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::{CertificationLevel, MdsBlob, MdsEntry, MdsError, StatusReport};

#[derive(Deserialize)]
struct Payload {
    no: i64,
    #[serde(rename = "nextUpdate")]
    next_update: NaiveDate,
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    aaguid: Option<String>,
    #[serde(rename = "metadataStatement", default)]
    metadata_statement: Option<Statement>,
    #[serde(rename = "statusReports", default)]
    status_reports: Vec<StatusReport>,
}

#[derive(Deserialize, Default)]
struct Statement {
    #[serde(default)]
    description: String,
    #[serde(rename = "authenticatorVersion", default)]
    authenticator_version: Option<i64>,
    #[serde(rename = "keyProtection", default)]
    key_protection: Vec<String>,
    #[serde(rename = "attestationRootCertificates", default)]
    attestation_root_certificates: Vec<String>,
}

/// Parses the payload JSON. Entries without an AAGUID (U2F, UAF) are
/// skipped, and so is a repeated AAGUID (the first entry counts); a FIDO2
/// entry that cannot be read refuses the whole blob.
pub(super) fn parse(json: &[u8]) -> Result<MdsBlob, MdsError> {
    let payload: Payload = serde_json::from_slice(json)
        .map_err(|e| MdsError::Malformed(format!("its payload cannot be read ({e})")))?;
    let mut entries = Vec::with_capacity(payload.entries.len());
    let mut seen = std::collections::HashSet::new();
    for entry in payload.entries {
        let Some(aaguid) = entry.aaguid else {
            continue;
        };
        let aaguid = Uuid::parse_str(&aaguid)
            .map_err(|_| MdsError::Malformed(format!("the AAGUID {aaguid:?} is not a UUID")))?;
        if !seen.insert(aaguid) {
            continue;
        }
        let statement = entry.metadata_statement.unwrap_or_default();
        let attestation_root_certificates = statement
            .attestation_root_certificates
            .iter()
            .map(|c| {
                STANDARD.decode(c).map_err(|_| {
                    MdsError::Malformed(format!(
                        "an attestation root certificate of {aaguid} is not base64"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        entries.push(MdsEntry {
            aaguid,
            description: statement.description,
            authenticator_version: statement.authenticator_version,
            key_protection: statement.key_protection,
            attestation_root_certificates,
            certification_level: certification_level(&entry.status_reports),
            status_reports: entry.status_reports,
        });
    }
    Ok(MdsBlob {
        serial: payload.no,
        next_update: payload.next_update,
        entries,
    })
}

/// The level of the latest `FIDO_CERTIFIED*` report (by effective date;
/// among equal dates, or without dates, the later in the list).
fn certification_level(reports: &[StatusReport]) -> Option<CertificationLevel> {
    reports
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            CertificationLevel::from_status(&r.status).map(|l| ((r.effective_date, i), l))
        })
        .max_by_key(|(key, _)| *key)
        .map(|(_, level)| level)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(status: &str, date: Option<&str>) -> StatusReport {
        StatusReport {
            status: status.into(),
            effective_date: date.map(|d| d.parse().unwrap()),
        }
    }

    #[test]
    fn certification_level_is_the_latest_certified_status() {
        let reports = [
            report("FIDO_CERTIFIED_L2", Some("2022-01-01")),
            report("FIDO_CERTIFIED_L1", Some("2020-01-01")),
            report("REVOKED", Some("2023-01-01")),
        ];
        assert_eq!(certification_level(&reports), Some(CertificationLevel::L2));
        let reports = [
            report("FIDO_CERTIFIED", None),
            report("NOT_FIDO_CERTIFIED", None),
        ];
        assert_eq!(certification_level(&reports), Some(CertificationLevel::L1));
        assert_eq!(certification_level(&[report("REVOKED", None)]), None);
    }

    #[test]
    fn entries_without_aaguid_are_skipped_and_fields_are_read() {
        let json = br#"{"no":7,"nextUpdate":"2030-02-01","entries":[
            {"aaid":"4e4e#4005","metadataStatement":{"description":"UAF"}},
            {"attestationCertificateKeyIdentifiers":["aa"],"statusReports":[]},
            {"aaguid":"ee882879-721c-4913-9775-3dfcce97072a",
             "metadataStatement":{"description":"YubiKey 5","authenticatorVersion":50100,
               "keyProtection":["hardware","secure_element"],
               "attestationRootCertificates":["AAEC"]},
             "statusReports":[{"status":"FIDO_CERTIFIED_L1plus","effectiveDate":"2021-03-04"}]}
        ]}"#;
        let blob = parse(json).unwrap();
        assert_eq!(blob.serial, 7);
        assert_eq!(
            blob.next_update,
            NaiveDate::from_ymd_opt(2030, 2, 1).unwrap()
        );
        assert_eq!(blob.entries.len(), 1);
        let e = &blob.entries[0];
        assert_eq!(e.description, "YubiKey 5");
        assert_eq!(e.authenticator_version, Some(50100));
        assert_eq!(e.key_protection, ["hardware", "secure_element"]);
        assert_eq!(e.attestation_root_certificates, [vec![0u8, 1, 2]]);
        assert_eq!(e.certification_level, Some(CertificationLevel::L1Plus));
    }

    #[test]
    fn unreadable_payloads_are_malformed() {
        for json in [
            &br#"{"nextUpdate":"2030-02-01","entries":[]}"#[..],
            br#"{"no":1,"nextUpdate":"soon","entries":[]}"#,
            br#"{"no":1,"nextUpdate":"2030-02-01","entries":[{"aaguid":"nope"}]}"#,
            b"not json",
        ] {
            assert!(matches!(parse(json), Err(MdsError::Malformed(_))));
        }
    }
}
