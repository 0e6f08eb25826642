//! Authenticator metadata: an import replaces every model at once, records
//! its blob, and never goes back to an older serial.

use latchkey_store::StoreError;
use latchkey_store::authenticator_metadata::{self as metadata, NewMetadataBlob, NewMetadataEntry};
use latchkey_testkit::TestDb;
use serde_json::json;
use uuid::Uuid;

use crate::{at, conn, t0};

fn entry(n: u128, description: &str) -> NewMetadataEntry {
    NewMetadataEntry {
        aaguid: Uuid::from_u128(n),
        description: description.to_owned(),
        authenticator_version: Some(5),
        key_protection: vec!["hardware".into(), "secure_element".into()],
        attestation_roots: vec![vec![0x30, 0x82, 1, 2], vec![9]],
        certification_level: Some("L2".into()),
        status_reports: json!([{ "status": "FIDO_CERTIFIED_L2", "effectiveDate": "2022-06-01" }]),
    }
}

fn blob(serial: i64) -> NewMetadataBlob {
    NewMetadataBlob {
        serial,
        next_update: at(86_400 * 30),
        sha256: format!("{serial:064x}"),
    }
}

#[test]
fn nothing_is_stored_before_the_first_import() {
    let db = TestDb::new();
    let mut c = conn(&db);

    assert_eq!(metadata::last_blob(&mut c).unwrap(), None);
    assert!(metadata::list(&mut c).unwrap().is_empty());
    assert_eq!(metadata::find(&mut c, &Uuid::from_u128(1)).unwrap(), None);
}

#[test]
fn import_stores_every_field_and_records_the_blob() {
    let db = TestDb::new();
    let mut c = conn(&db);

    metadata::replace_all(
        &mut c,
        &blob(7),
        &[entry(1, "Key B"), entry(2, "Key A")],
        t0(),
    )
    .unwrap();

    let stored = metadata::find(&mut c, &Uuid::from_u128(1))
        .unwrap()
        .unwrap();
    let expected = entry(1, "Key B");
    assert_eq!(stored.description, "Key B");
    assert_eq!(stored.authenticator_version, Some(5));
    assert_eq!(stored.key_protection, expected.key_protection);
    assert_eq!(stored.attestation_roots, expected.attestation_roots);
    assert_eq!(stored.certification_level.as_deref(), Some("L2"));
    assert_eq!(stored.status_reports, expected.status_reports);
    assert_eq!(stored.blob_serial, 7);
    assert_eq!(stored.next_update, at(86_400 * 30));
    assert_eq!(stored.imported_at, t0());
    let names: Vec<_> = metadata::list(&mut c)
        .unwrap()
        .into_iter()
        .map(|e| e.description)
        .collect();
    assert_eq!(names, ["Key A", "Key B"]);
    let record = metadata::last_blob(&mut c).unwrap().unwrap();
    assert_eq!(
        (record.serial, record.entries, record.imported_at),
        (7, 2, t0())
    );
    assert_eq!(record.next_update, at(86_400 * 30));
    assert_eq!(record.sha256, format!("{:064x}", 7));
}

#[test]
fn a_newer_import_replaces_every_model_of_the_previous_one() {
    let db = TestDb::new();
    let mut c = conn(&db);
    metadata::replace_all(&mut c, &blob(7), &[entry(1, "Old"), entry(2, "Gone")], t0()).unwrap();

    metadata::replace_all(
        &mut c,
        &blob(8),
        &[entry(1, "New"), entry(3, "Added")],
        at(60),
    )
    .unwrap();

    let all = metadata::list(&mut c).unwrap();
    let ids: Vec<_> = all.iter().map(|e| e.aaguid).collect();
    assert_eq!(ids, [Uuid::from_u128(3), Uuid::from_u128(1)]);
    assert!(
        all.iter()
            .all(|e| e.blob_serial == 8 && e.imported_at == at(60))
    );
    assert_eq!(metadata::last_blob(&mut c).unwrap().unwrap().serial, 8);
}

#[test]
fn an_import_older_than_the_stored_blob_is_refused_and_changes_nothing() {
    let db = TestDb::new();
    let mut c = conn(&db);
    metadata::replace_all(&mut c, &blob(8), &[entry(1, "Current")], t0()).unwrap();

    let err = metadata::replace_all(&mut c, &blob(7), &[entry(2, "Older")], at(60)).unwrap_err();

    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let all = metadata::list(&mut c).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].description, "Current");
    let record = metadata::last_blob(&mut c).unwrap().unwrap();
    assert_eq!((record.serial, record.imported_at), (8, t0()));
}

#[test]
fn the_same_serial_can_be_imported_again() {
    let db = TestDb::new();
    let mut c = conn(&db);
    metadata::replace_all(&mut c, &blob(8), &[entry(1, "Key")], t0()).unwrap();

    metadata::replace_all(&mut c, &blob(8), &[entry(1, "Key")], at(60)).unwrap();

    assert_eq!(
        metadata::last_blob(&mut c).unwrap().unwrap().imported_at,
        at(60)
    );
}
