//! Attestation policies end to end: verified attestation at registration
//! under a tier's or group's policy, a client's policy checked at every
//! sign-in against the passkey used (with today's metadata), `phrh` only
//! for an attested device-bound passkey, and the compliance report.

use latchkey_accounts::{Metadata, Policies, PolicyTarget};
use latchkey_core::{AccountTier, Acr, ClientId};
use latchkey_passkey::PolicyRules;
use latchkey_passkey::mds::TrustAnchor;
use latchkey_testkit::authenticator::SoftAuthenticator;
use latchkey_testkit::mds::TEST_AAGUID;
use latchkey_testkit::{TestApp, TestAttestationCa, TestMds};
use openidconnect::TokenResponse as _;
use serde_json::{Value, json};

use crate::oidc::{ClientOptions, Rp, code_from, get};
use crate::people::{Person, enrol, invitation};

/// An instance with test metadata naming the test vendor's model, the
/// policy "hardware" (attested, device-bound, no compromised models) and a
/// client with minimum acr `phrh` under that policy.
struct Setup {
    app: TestApp,
    rp: Rp,
    vendor: TestAttestationCa,
    mds: TestMds,
    policies: Policies,
}

fn metadata(app: &TestApp, mds: &TestMds) -> Metadata {
    Metadata::new(
        app.state.db.clone(),
        app.state.audit.clone(),
        app.state.clock.clone(),
        TrustAnchor::from_der(mds.root_der().to_vec()).unwrap(),
    )
}

/// Imports a blob of serial `serial` whose test model carries `statuses`.
async fn import(s: &Setup, serial: i64, statuses: &[&str]) {
    let entry = TestMds::entry_with_root(
        TEST_AAGUID,
        "Latchkey Test Key",
        s.vendor.root_der(),
        statuses,
    );
    let blob = s
        .mds
        .blob(&TestMds::payload(serial, "2030-02-01", vec![entry]));
    metadata(&s.app, &s.mds).import(blob, "test").await.unwrap();
}

fn hardware() -> PolicyRules {
    PolicyRules {
        require_attestation: true,
        device_bound: true,
        refuse_compromised: true,
        ..PolicyRules::default()
    }
}

async fn setup() -> Setup {
    let app = TestApp::spawn().await;
    let policies = Policies::new(
        app.state.db.clone(),
        app.state.audit.clone(),
        app.state.clock.clone(),
    );
    let s = Setup {
        rp: Rp::with(
            &app,
            ClientOptions {
                min_acr: Some(Acr::Phrh),
                ..ClientOptions::default()
            },
        )
        .await,
        vendor: TestAttestationCa::new(),
        mds: TestMds::new(),
        policies,
        app,
    };
    import(&s, 5, &[]).await;
    s.policies
        .create("hardware", hardware(), "test")
        .await
        .unwrap();
    s.policies
        .assign(
            "hardware",
            PolicyTarget::Client(ClientId::parse(&s.rp.id).unwrap()),
            "test",
        )
        .await
        .unwrap();
    s
}

async fn person(app: &TestApp, username: &str, auth: SoftAuthenticator) -> Person {
    let token = invitation(app, &format!("{username}@example.com")).await;
    enrol(app, "invite", &token, username, auth).await
}

/// Starts an authorization request in `p`'s browser: the Location answered.
async fn authorize(s: &Setup, p: &Person) -> (crate::oidc::Started, u16, String) {
    let started = s.rp.start(&["openid"], |r| r);
    let (status, location, _) = get(&p.browser, started.url.as_str()).await;
    (started, status, location.unwrap_or_default())
}

async fn credential_row(app: &TestApp, p: &Person) -> Vec<latchkey_store::credentials::Credential> {
    let user = p.user_id;
    app.state
        .db
        .run(move |c| latchkey_store::credentials::list_active(c, user))
        .await
        .unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_hardware_only_client_refuses_a_synced_passkey_and_accepts_an_attested_device_bound_one()
{
    let s = setup().await;

    // A synced passkey: the client's policy sends the request to a page
    // that says what the application needs (no other passkey qualifies).
    let sam = person(&s.app, "sam", SoftAuthenticator::synced()).await;
    let (_, status, location) = authorize(&s, &sam).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/authorize/passkey?id="), "{location}");
    let (status, _, page) = get(&sam.browser, &location).await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("hardware"), "{page}");
    assert!(page.contains("synced"), "{page}");
    assert!(!page.contains("stepup-button"), "{page}");
    // What was found and what would comply, in the page's language.
    let german = sam
        .browser
        .client
        .get(sam.browser.url(&location))
        .header("accept-language", "de")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        german.contains("Der Passkey kann mit anderen Geräten synchronisiert werden"),
        "{german}"
    );
    assert!(!german.contains("can be synced"), "{german}");

    // Registration under the standard tier's policy asks for direct
    // attestation and verifies it against the metadata's root.
    s.policies
        .assign(
            "hardware",
            PolicyTarget::Tier(AccountTier::Standard),
            "test",
        )
        .await
        .unwrap();
    let kim = person(&s.app, "kim", s.vendor.authenticator()).await;
    let rows = credential_row(&s.app, &kim).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].attested);
    assert!(!rows[0].backup_eligible);
    assert_eq!(rows[0].attestation_format.as_deref(), Some("packed"));
    assert_eq!(rows[0].aaguid.as_deref(), Some(TEST_AAGUID));
    let record: Value = serde_json::from_str(rows[0].attestation_json.as_deref().unwrap()).unwrap();
    assert_eq!(record["chain_verified"], true);
    assert_eq!(record["root"]["sha256"], sha256_hex(s.vendor.root_der()));
    assert!(
        record["root"]["subject"]
            .as_str()
            .unwrap()
            .contains("Test Attestation Root")
    );
    assert_eq!(record["certification_level"], "L2");
    assert_eq!(record["compromised"], false);
    assert_eq!(record["policies"], json!(["hardware"]));
    assert!(record["checked_at"].is_string());

    // The enrolment session stands on that passkey: phrh, straight to a code.
    let (started, status, location) = authorize(&s, &kim).await;
    assert_eq!(status, 303);
    let code = code_from(&location, &started, &s.rp.issuer);
    let (_, claims) = s.rp.exchange(&code, started.verifier, &started.nonce).await;
    assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("phrh"));

    // The dry run: everyone may sign in to the client; sam has no passkey
    // that complies.
    let report = s.policies.report("hardware").await.unwrap();
    assert_eq!(report.users, 2);
    assert_eq!(report.users_locked_out, 1);
    assert_eq!(report.failing_credentials, 1);
    let affected: Vec<&str> = report
        .affected
        .iter()
        .map(|u| u.username.as_str())
        .collect();
    assert_eq!(affected, ["sam"]);
    assert!(
        report.affected[0].failing[0]
            .violations
            .iter()
            .any(|v| v.rule.code() == "device_bound")
    );
}

#[tokio::test]
async fn prompt_none_refused_by_the_clients_policy_is_interaction_required() {
    let s = setup().await;
    let sam = person(&s.app, "sam", SoftAuthenticator::synced()).await;

    let started = s.rp.start(&["openid"], |r| {
        r.add_prompt(openidconnect::core::CoreAuthPrompt::None)
    });
    let (status, location, _) = get(&sam.browser, started.url.as_str()).await;

    assert_eq!(status, 303);
    assert_eq!(
        crate::oidc::error_from(&location.unwrap(), &started, &s.rp.issuer),
        "interaction_required"
    );
    // Nobody signed in is still told to sign in.
    let anonymous = s.app.browser();
    let started = s.rp.start(&["openid"], |r| {
        r.add_prompt(openidconnect::core::CoreAuthPrompt::None)
    });
    let (_, location, _) = get(&anonymous, started.url.as_str()).await;
    assert_eq!(
        crate::oidc::error_from(&location.unwrap(), &started, &s.rp.issuer),
        "login_required"
    );
}

#[tokio::test]
async fn registration_under_an_attestation_policy_refuses_a_violating_passkey_and_stores_nothing() {
    let s = setup().await;
    s.policies
        .assign(
            "hardware",
            PolicyTarget::Tier(AccountTier::Standard),
            "test",
        )
        .await
        .unwrap();

    for (who, auth, rule) in [
        ("syd", SoftAuthenticator::synced(), "device_bound"),
        // Device-bound, but no attestation at all.
        ("nat", SoftAuthenticator::new(), "attestation_required"),
        // Packed attestation by a vendor the metadata does not know.
        (
            "eve",
            TestAttestationCa::new().authenticator(),
            "attestation_required",
        ),
    ] {
        let token = invitation(&s.app, &format!("{who}@example.com")).await;
        let mut browser = s.app.browser();
        let mut auth = auth;
        let options = browser
            .post_json(
                "/enrol/options",
                &json!({ "grant": "invite", "token": token, "username": who, "display_name": who }),
            )
            .await;
        assert_eq!(options.status, 200, "{:?}", options.body);
        assert_eq!(options.body["publicKey"]["attestation"], "direct");
        let credential = auth.register(&options.body, &s.app.address);
        let done = browser
            .post_json(
                "/enrol/finish",
                &json!({ "ceremony": options.body["ceremony"], "credential": credential }),
            )
            .await;
        assert_eq!(done.status, 400, "{who}: {:?}", done.body);
        assert_eq!(done.error(), "attestation_policy_refused", "{who}");
        let message = done.body["message"].as_str().unwrap();
        assert!(message.contains("\"hardware\""), "{message}");
        assert!(message.contains(rule), "{who}: {message}");
        let u = who.to_owned();
        let account = s
            .app
            .state
            .db
            .run(move |c| latchkey_store::users::find_by_username(c, &u))
            .await
            .unwrap();
        assert!(account.is_none(), "{who}: nothing is stored");
    }
}

#[tokio::test]
async fn the_step_up_for_a_client_lists_only_complying_passkeys_and_earns_phrh() {
    let s = setup().await;
    // A group's policy: its members' new passkeys must be attested.
    s.policies.create_group("ops", "test").await.unwrap();
    s.policies
        .assign("hardware", PolicyTarget::Group("ops".into()), "test")
        .await
        .unwrap();
    let mut sam = person(&s.app, "sam", SoftAuthenticator::synced()).await;
    s.policies.add_member("ops", "sam", "test").await.unwrap();

    // Adding a passkey applies the group's policy: a synced one is refused…
    let mut other_synced = SoftAuthenticator::synced();
    let refused = crate::account::add_passkey(&s.app, &mut sam, &mut other_synced, "Phone").await;
    assert_eq!(refused.status, 400, "{:?}", refused.body);
    assert_eq!(refused.error(), "attestation_policy_refused");
    // …a security key of the model in the metadata is accepted.
    let mut key = s.vendor.authenticator();
    let added = crate::account::add_passkey(&s.app, &mut sam, &mut key, "Key").await;
    assert_eq!(added.status, 200, "{:?}", added.body);
    let key_id = key.last_credential_id().unwrap();

    // The session still stands on the synced passkey: the client asks for
    // a complying one, and the assertion request names only the key.
    let (started, status, location) = authorize(&s, &sam).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/authorize/passkey?id="), "{location}");
    let (status, _, page) = get(&sam.browser, &location).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("stepup-button"), "{page}");
    let id: String = url::Url::parse(&format!("http://x{location}"))
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "id")
        .unwrap()
        .1
        .into_owned();
    let options = sam
        .browser
        .post_json("/authorize/passkey/options", &json!({ "id": id }))
        .await;
    assert_eq!(options.status, 200, "{:?}", options.body);
    let allowed = options.body["publicKey"]["allowCredentials"]
        .as_array()
        .unwrap();
    assert_eq!(allowed.len(), 1);
    use base64::Engine as _;
    let allowed_id = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(allowed[0]["id"].as_str().unwrap())
        .unwrap();
    assert_eq!(allowed_id, key_id);
    let assertion = key.authenticate(&options.body, &s.app.address);
    let done = sam
        .browser
        .post_json(
            "/authorize/passkey/finish",
            &json!({ "id": id, "ceremony": options.body["ceremony"], "credential": assertion }),
        )
        .await;
    assert_eq!(done.status, 200, "{:?}", done.body);

    let (status, location, _) = get(&sam.browser, &format!("/authorize/continue?id={id}")).await;
    assert_eq!(status, 303);
    let code = code_from(&location.unwrap(), &started, &s.rp.issuer);
    let (tokens, claims) = s.rp.exchange(&code, started.verifier, &started.nonce).await;
    assert!(tokens.id_token().is_some());
    assert_eq!(claims.auth_context_ref().map(|a| a.as_str()), Some("phrh"));
}

#[tokio::test]
async fn metadata_reporting_the_model_compromised_makes_the_next_sign_in_to_the_client_refuse_it() {
    let s = setup().await;
    s.policies
        .assign(
            "hardware",
            PolicyTarget::Tier(AccountTier::Standard),
            "test",
        )
        .await
        .unwrap();
    let kim = person(&s.app, "kim", s.vendor.authenticator()).await;
    let (started, _, location) = authorize(&s, &kim).await;
    code_from(&location, &started, &s.rp.issuer);

    import(&s, 6, &["ATTESTATION_KEY_COMPROMISE"]).await;
    let (_, status, location) = authorize(&s, &kim).await;
    assert_eq!(status, 303);
    assert!(location.starts_with("/authorize/passkey?id="), "{location}");
    let (status, _, page) = get(&kim.browser, &location).await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("ATTESTATION_KEY_COMPROMISE"), "{page}");

    let report = s.policies.report("hardware").await.unwrap();
    assert_eq!((report.users, report.users_locked_out), (1, 1));
    assert!(
        report.affected[0].failing[0]
            .violations
            .iter()
            .any(|v| v.rule.code() == "not_compromised")
    );
}
