//! FIDO metadata blobs: a blob signed under a test root is read; every way
//! a blob can be wrong is refused with its own error.

// The testkit's metadata signer, included by path: the testkit depends on
// the whole server (which depends on this crate).
#[path = "../../latchkey-testkit/src/mds.rs"]
#[allow(dead_code, reason = "not every helper is used here")]
mod test_mds;

use chrono::{DateTime, NaiveDate, Utc};
use latchkey_passkey::mds::{CertificationLevel, MdsError, TrustAnchor, verify_blob};
use serde_json::json;
use test_mds::{TEST_AAGUID, TestMds};

/// 2030-01-01T00:00:00Z, the fixed test instant.
fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_893_456_000, 0).unwrap()
}

fn anchor(mds: &TestMds) -> TrustAnchor {
    TrustAnchor::from_der(mds.root_der().to_vec()).unwrap()
}

#[test]
fn blob_signed_under_the_trusted_root_is_read_with_its_fido2_entries() {
    let mds = TestMds::new();
    let blob = mds.blob(&TestMds::standard_payload(42, "2030-01-20"));

    let read = verify_blob(&blob, &anchor(&mds), now(), Some(41)).unwrap();

    assert_eq!(read.serial, 42);
    assert_eq!(
        read.next_update,
        NaiveDate::from_ymd_opt(2030, 1, 20).unwrap()
    );
    assert_eq!(read.entries.len(), 2, "the U2F entry is skipped");
    let e = &read.entries[0];
    assert_eq!(e.aaguid.to_string(), TEST_AAGUID);
    assert_eq!(e.description, "Latchkey Test Key");
    assert_eq!(e.key_protection, ["hardware", "secure_element"]);
    assert_eq!(
        e.attestation_root_certificates,
        [b"not a real certificate".to_vec()]
    );
    assert_eq!(e.status_reports.len(), 2);
    assert_eq!(e.certification_level, Some(CertificationLevel::L2));
    assert!(!read.is_past_next_update(now()));
}

#[test]
fn blob_is_accepted_again_with_the_same_serial_and_from_the_pem_root() {
    let mds = TestMds::new();
    let blob = mds.blob(&TestMds::standard_payload(42, "2030-01-20"));
    let anchor = TrustAnchor::from_pem(mds.root_pem().as_bytes()).unwrap();

    assert!(verify_blob(&blob, &anchor, now(), Some(42)).is_ok());
}

#[test]
fn blob_with_a_changed_payload_is_refused_as_bad_signature() {
    let mds = TestMds::new();
    let blob = mds.blob(&TestMds::standard_payload(42, "2030-01-20"));
    let tampered = TestMds::tampered(&blob, &TestMds::standard_payload(43, "2030-01-20"));

    let err = verify_blob(&tampered, &anchor(&mds), now(), None).unwrap_err();

    assert_eq!(err, MdsError::BadSignature);
    assert!(
        err.to_string().contains("signature does not verify"),
        "{err}"
    );
}

#[test]
fn blob_signed_under_another_root_is_refused_as_untrusted() {
    let signer = TestMds::new();
    let other = TestMds::new();
    let blob = signer.blob(&TestMds::standard_payload(42, "2030-01-20"));

    let err = verify_blob(&blob, &anchor(&other), now(), None).unwrap_err();

    assert!(matches!(err, MdsError::UntrustedChain(_)), "{err:?}");
    // GlobalSign Root CA - R3 is valid until 2029-03-18: ask in 2026.
    let in_2026 = DateTime::from_timestamp(1_796_083_200, 0).unwrap();
    let fido = verify_blob(&blob, &TrustAnchor::fido(), in_2026, None).unwrap_err();
    assert!(matches!(fido, MdsError::UntrustedChain(_)), "{fido:?}");
}

#[test]
fn blob_whose_leaf_certificate_has_expired_is_refused() {
    // The leaf was valid during 2025 only.
    let mds = TestMds::with_leaf_validity(1_735_689_600, 1_767_225_599);
    let blob = mds.blob(&TestMds::standard_payload(42, "2030-01-20"));

    let err = verify_blob(&blob, &anchor(&mds), now(), None).unwrap_err();

    match &err {
        MdsError::CertificateNotValid {
            subject, not_after, ..
        } => {
            assert!(subject.contains("mds.test"), "{subject}");
            assert_eq!(not_after, "2025-12-31 23:59:59");
        }
        other => panic!("expected an expired certificate, got {other:?}"),
    }
}

#[test]
fn blob_past_next_update_and_its_grace_is_refused_but_accepted_within_it() {
    let mds = TestMds::new();
    let stale = mds.blob(&TestMds::standard_payload(42, "2029-12-17"));
    let err = verify_blob(&stale, &anchor(&mds), now(), None).unwrap_err();
    assert_eq!(
        err,
        MdsError::PastNextUpdate {
            next_update: NaiveDate::from_ymd_opt(2029, 12, 17).unwrap(),
            grace_days: 14,
        }
    );

    let late = mds.blob(&TestMds::standard_payload(42, "2029-12-18"));
    let read = verify_blob(&late, &anchor(&mds), now(), None).unwrap();
    assert!(read.is_past_next_update(now()));
}

#[test]
fn blob_older_than_the_imported_one_is_refused_as_rollback() {
    let mds = TestMds::new();
    let blob = mds.blob(&TestMds::standard_payload(41, "2030-01-20"));

    let err = verify_blob(&blob, &anchor(&mds), now(), Some(42)).unwrap_err();

    assert_eq!(
        err,
        MdsError::Rollback {
            serial: 41,
            stored: 42
        }
    );
}

#[test]
fn blob_with_an_algorithm_other_than_rs256_or_es256_is_refused() {
    let mds = TestMds::new();
    let payload = TestMds::standard_payload(42, "2030-01-20");
    for alg in ["none", "HS256", "ES384", "PS256"] {
        let blob = mds.blob_with_header(&json!({ "alg": alg, "x5c": [] }), &payload);
        let err = verify_blob(&blob, &anchor(&mds), now(), None).unwrap_err();
        assert_eq!(err, MdsError::UnsupportedAlgorithm(alg.into()));
    }
}

#[test]
fn malformed_blobs_are_refused_as_malformed() {
    let mds = TestMds::new();
    let payload = TestMds::standard_payload(42, "2030-01-20");
    let no_chain = mds.blob_with_header(&json!({ "alg": "ES256" }), &payload);
    let bad_cert = mds.blob_with_header(&json!({ "alg": "ES256", "x5c": ["AAAA"] }), &payload);
    let bad_payload = mds.blob(&json!({ "no": "forty-two" }));
    for blob in [
        "",
        "not a jwt",
        "a.b.c.d",
        "!!.??.**",
        no_chain.as_str(),
        bad_cert.as_str(),
        bad_payload.as_str(),
    ] {
        let err = verify_blob(blob, &anchor(&mds), now(), None).unwrap_err();
        assert!(matches!(err, MdsError::Malformed(_)), "{blob}: {err:?}");
    }
}

#[test]
fn shipped_fido_root_is_globalsign_root_r3() {
    let der = TrustAnchor::fido().der().to_vec();
    assert!(!der.is_empty());
    let digest = ring::digest::digest(&ring::digest::SHA256, &der);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(
        hex,
        "CBB522D7B7F127AD6A0113865BDF1CD4102E7D0759AF635A7CF4720DC963C53B"
    );
}
