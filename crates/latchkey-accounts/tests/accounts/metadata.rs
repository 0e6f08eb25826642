//! Importing FIDO metadata: a verified blob is stored and audited; a
//! refused one changes nothing; names fall back to the built-in table.

use std::sync::Arc;

use latchkey_accounts::{AccountsError, Metadata};
use latchkey_core::{Clock as _, TestClock};
use latchkey_passkey::mds::{MdsError, TrustAnchor};
use latchkey_store::audit::AuditChain;
use latchkey_store::seal::MasterKey;
use latchkey_testkit::mds::TEST_AAGUID;
use latchkey_testkit::{TestDb, TestMds};

struct Env {
    db: TestDb,
    clock: TestClock,
    mds: TestMds,
    metadata: Metadata,
}

/// At the fixed instant 2030-01-01, trusting a fresh test root.
fn env() -> Env {
    let db = TestDb::new();
    let clock = TestClock::fixed();
    let mds = TestMds::new();
    let master = MasterKey::from_bytes([0x17; 32]);
    let metadata = Metadata::new(
        db.db.clone(),
        Arc::new(AuditChain::new(&master)),
        Arc::new(clock.clone()),
        TrustAnchor::from_der(mds.root_der().to_vec()).unwrap(),
    );
    Env {
        db,
        clock,
        mds,
        metadata,
    }
}

async fn audit_kinds(db: &TestDb) -> Vec<String> {
    db.db
        .run(|c| AuditChain::recent(c, 50))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[tokio::test]
async fn import_stores_the_fido2_models_and_audits_the_blob() {
    let env = env();
    let blob = env.mds.blob(&TestMds::standard_payload(12, "2030-01-31"));

    let imported = env.metadata.import(blob, "cli").await.unwrap();

    assert_eq!(imported.serial, 12);
    assert_eq!(imported.entries, 2);
    assert_eq!(
        imported.next_update.to_rfc3339(),
        "2030-01-31T00:00:00+00:00"
    );
    assert!(!imported.past_next_update);
    let status = env.metadata.status().await.unwrap();
    let record = status.blob.unwrap();
    assert_eq!((record.serial, record.entries), (12, 2));
    assert_eq!(record.imported_at, env.clock.now());
    assert!(!status.past_next_update);
    let aaguid = uuid::Uuid::parse_str(TEST_AAGUID).unwrap();
    let entry = env
        .db
        .db
        .run(move |c| latchkey_store::authenticator_metadata::find(c, &aaguid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(entry.certification_level.as_deref(), Some("L2"));
    assert_eq!(entry.key_protection, ["hardware", "secure_element"]);
    assert_eq!(entry.status_reports[1]["status"], "FIDO_CERTIFIED_L2");
    assert_eq!(audit_kinds(&env.db).await, ["metadata.imported"]);
}

#[tokio::test]
async fn refused_blobs_change_nothing_and_say_why() {
    let env = env();
    env.metadata
        .import(
            env.mds.blob(&TestMds::standard_payload(12, "2030-01-31")),
            "cli",
        )
        .await
        .unwrap();
    let before = env.db.row_counts().await;
    let good = env.mds.blob(&TestMds::standard_payload(13, "2030-01-31"));
    let other_root = TestMds::new().blob(&TestMds::standard_payload(13, "2030-01-31"));
    let expired = TestMds::with_leaf_validity(1_735_689_600, 1_767_225_599)
        .blob(&TestMds::standard_payload(13, "2030-01-31"));

    for (blob, code) in [
        (
            TestMds::tampered(&good, &TestMds::standard_payload(14, "2030-01-31")),
            "mds_bad_signature",
        ),
        (other_root, "mds_untrusted_chain"),
        (expired, "mds_certificate_not_valid"),
        (
            env.mds.blob(&TestMds::standard_payload(11, "2030-01-31")),
            "mds_rollback",
        ),
        (
            env.mds.blob(&TestMds::standard_payload(13, "2029-11-30")),
            "mds_past_next_update",
        ),
        ("garbage".to_owned(), "mds_malformed"),
    ] {
        let err = env.metadata.import(blob, "cli").await.unwrap_err();
        assert!(matches!(err, AccountsError::Metadata(_)), "{err:?}");
        assert_eq!(err.code(), code, "{err}");
    }

    assert_eq!(env.db.row_counts().await, before);
    assert_eq!(
        env.metadata.status().await.unwrap().blob.unwrap().serial,
        12
    );
}

#[tokio::test]
async fn rollback_refusal_names_both_serials() {
    let env = env();
    env.metadata
        .import(
            env.mds.blob(&TestMds::standard_payload(12, "2030-01-31")),
            "cli",
        )
        .await
        .unwrap();

    let err = env
        .metadata
        .import(
            env.mds.blob(&TestMds::standard_payload(9, "2030-01-31")),
            "cli",
        )
        .await
        .unwrap_err();

    assert!(matches!(
        err,
        AccountsError::Metadata(MdsError::Rollback {
            serial: 9,
            stored: 12
        })
    ));
    assert!(
        err.to_string()
            .contains("serial 9, older than the imported blob's serial 12")
    );
}

#[tokio::test]
async fn status_warns_once_the_stored_blob_is_past_next_update() {
    let env = env();
    assert_eq!(env.metadata.status().await.unwrap().blob, None);
    env.metadata
        .import(
            env.mds.blob(&TestMds::standard_payload(12, "2030-01-02")),
            "cli",
        )
        .await
        .unwrap();
    assert!(!env.metadata.status().await.unwrap().past_next_update);

    env.clock.advance(chrono::Duration::days(2));

    assert!(env.metadata.status().await.unwrap().past_next_update);
}

#[tokio::test]
async fn model_names_come_from_the_metadata_then_the_built_in_table() {
    let env = env();
    let test_key = uuid::Uuid::parse_str(TEST_AAGUID).unwrap();
    let yubikey = uuid::uuid!("cb69481e-8ff7-4039-93ec-0a2729a154a8");
    let icloud = uuid::uuid!("fbfc3007-154e-4ecc-8c0b-6e020557d7bd");
    assert_eq!(env.metadata.model_name(test_key).await.unwrap(), None);
    assert_eq!(
        env.metadata.model_name(yubikey).await.unwrap().as_deref(),
        Some("YubiKey 5 Series")
    );

    env.metadata
        .import(
            env.mds.blob(&TestMds::standard_payload(12, "2030-01-31")),
            "cli",
        )
        .await
        .unwrap();

    let name = |id| env.metadata.model_name(id);
    assert_eq!(
        name(test_key).await.unwrap().as_deref(),
        Some("Latchkey Test Key")
    );
    assert_eq!(
        name(yubikey).await.unwrap().as_deref(),
        Some("Test YubiKey 5")
    );
    assert_eq!(
        name(icloud).await.unwrap().as_deref(),
        Some("iCloud Keychain")
    );
    assert_eq!(name(uuid::Uuid::nil()).await.unwrap(), None);
}
