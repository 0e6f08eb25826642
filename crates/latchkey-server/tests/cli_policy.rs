//! `latchkey policy create/assign/report/list`, `latchkey group create/add`
//! and `latchkey client create --policy` as an operator runs them.

use std::process::{Command, Output};

use latchkey_core::{AccountTier, Clock as _, SystemClock, UserId};
use latchkey_store::credentials::{self, NewCredential};
use latchkey_store::users::{self, NewUser};
use latchkey_testkit::mds::TEST_AAGUID;
use latchkey_testkit::{TestDb, TestMds};

const BIN: &str = env!("CARGO_BIN_EXE_latchkey");

struct Setup {
    dir: tempfile::TempDir,
    db: TestDb,
    mds: TestMds,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mds = TestMds::new();
        std::fs::write(dir.path().join("root.pem"), mds.root_pem()).unwrap();
        Self {
            dir,
            db: TestDb::new(),
            mds,
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.current_dir(self.dir.path());
        for (k, _) in std::env::vars() {
            if k.starts_with("LATCHKEY_") {
                cmd.env_remove(k);
            }
        }
        cmd.env("LATCHKEY_LOG_FORMAT", "json")
            .env("LATCHKEY_DATABASE_URL", &self.db.url_text)
            .env(
                "LATCHKEY_DANGER_TEST_MDS_ROOT",
                self.dir.path().join("root.pem"),
            )
            .args(args)
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Exit code 2 and the message on stderr.
    fn usage_error(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stdout)
        );
        text(&out.stderr)
    }

    fn import_metadata(&self) {
        let next_update = (SystemClock.now() + chrono::Duration::days(20))
            .format("%Y-%m-%d")
            .to_string();
        let path = self.dir.path().join("blob.jwt");
        std::fs::write(
            &path,
            self.mds.blob(&TestMds::standard_payload(5, &next_update)),
        )
        .unwrap();
        self.ok(&["metadata", "import", path.to_str().unwrap()]);
    }

    /// An account with one passkey.
    fn account(&self, username: &str, synced: bool, attested: bool) -> UserId {
        let mut c = self.db.db.get_blocking().unwrap();
        let now = SystemClock.now();
        let user = users::create(
            &mut c,
            &NewUser {
                username: username.into(),
                display_name: username.into(),
                email: None,
                tier: AccountTier::Standard,
            },
            now,
        )
        .unwrap()
        .user_id()
        .unwrap();
        credentials::insert(
            &mut c,
            &NewCredential {
                user_id: user,
                webauthn_id: username.as_bytes().to_vec(),
                label: format!("{username}'s passkey"),
                passkey_json: "{}".into(),
                aaguid: Some(TEST_AAGUID.into()),
                backup_eligible: synced,
                backup_state: synced,
                attested,
                attestation_format: attested.then(|| "packed".into()),
                attestation_json: None,
                sign_count: 0,
            },
            now,
        )
        .unwrap();
        user
    }
}

#[test]
fn policies_are_created_reported_and_assigned_from_the_command_line() {
    let s = Setup::new();
    s.ok(&["migrate"]);
    s.account("ann", true, false);
    s.account("bob", false, true);
    s.account("cy", false, false);

    let out = s.ok(&[
        "policy",
        "create",
        "hardware",
        "--require-attestation",
        "--device-bound",
        "--refuse-compromised",
    ]);
    assert!(
        out.contains("Created attestation policy \"hardware\""),
        "{out}"
    );
    assert!(out.contains("policy report hardware"), "{out}");

    // The dry run before assigning: every account; ann (synced) and cy
    // (unattested) would be refused.
    let report = s.ok(&["policy", "report", "hardware"]);
    assert!(
        report.contains(
            "3 accounts in scope, 2 without a complying passkey, 2 passkeys that do not comply"
        ),
        "{report}"
    );
    assert!(report.contains("ann (would be refused)"), "{report}");
    assert!(report.contains("device_bound"), "{report}");
    assert!(report.contains("cy (would be refused)"), "{report}");
    assert!(!report.contains("bob"), "{report}");

    // Assigned to a group: only its members are in scope.
    s.ok(&["group", "create", "ops"]);
    s.ok(&["group", "add", "ops", "bob"]);
    s.ok(&["group", "add", "ops", "cy"]);
    let out = s.ok(&["policy", "assign", "hardware", "--group", "ops"]);
    assert!(out.contains("the group \"ops\""), "{out}");
    let report = s.ok(&["policy", "report", "hardware"]);
    assert!(
        report.contains("2 accounts in scope, 1 without a complying passkey, 1 passkeys"),
        "{report}"
    );
    assert!(
        s.ok(&["policy", "list"]).contains(
            "hardware: attestation required; device-bound only; compromised models refused"
        )
    );

    // A client created under the policy.
    let out = s.ok(&[
        "client",
        "create",
        "--name",
        "Prod",
        "--redirect-uri",
        "https://prod.example/cb",
        "--policy",
        "hardware",
    ]);
    assert!(out.contains("attestation_policy: hardware"), "{out}");
    let client_id = out
        .lines()
        .find_map(|l| l.strip_prefix("client_id: "))
        .unwrap()
        .to_owned();
    let mut c = s.db.db.get_blocking().unwrap();
    let policy = latchkey_store::attestation_policies::for_client(
        &mut c,
        &latchkey_core::ClientId::parse(&client_id).unwrap(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(policy.name, "hardware");
    // Saving and assigning are audited.
    let kinds: Vec<String> = latchkey_store::audit::AuditChain::recent(&mut c, 100)
        .unwrap()
        .into_iter()
        .map(|e| e.kind.to_string())
        .collect();
    assert!(
        kinds.iter().any(|k| k == "attestation_policy.saved"),
        "{kinds:?}"
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| *k == "attestation_policy.assigned")
            .count(),
        2,
        "{kinds:?}"
    );
}

#[test]
fn bad_policy_input_is_refused_with_exit_code_2_and_changes_nothing() {
    let s = Setup::new();
    let err = s.usage_error(&["policy", "create", "x", "--min-certification", "L9"]);
    assert!(err.contains("--min-certification"), "{err}");
    let err = s.usage_error(&["policy", "create", "keys", "--aaguid", "Latchkey Test Key"]);
    assert!(err.contains("imported FIDO metadata"), "{err}");
    let err = s.usage_error(&["policy", "create", "bad name!"]);
    assert!(err.contains("policy name"), "{err}");
    assert!(
        s.ok(&["policy", "list"])
            .contains("No attestation policies.")
    );

    // With the metadata imported, the model name resolves to its AAGUID.
    s.import_metadata();
    let out = s.ok(&["policy", "create", "keys", "--aaguid", "latchkey test key"]);
    assert!(out.contains(TEST_AAGUID), "{out}");
    let err = s.usage_error(&["policy", "create", "keys"]);
    assert!(err.contains("exists already"), "{err}");

    let err = s.usage_error(&["policy", "assign", "keys", "--group", "nobody"]);
    assert!(err.contains("group"), "{err}");
    let err = s.usage_error(&["policy", "assign", "nope", "--tier", "elevated"]);
    assert!(err.contains("policy"), "{err}");
    let err = s.usage_error(&["policy", "report", "nope"]);
    assert!(err.contains("policy"), "{err}");
    let err = s.usage_error(&[
        "client",
        "create",
        "--name",
        "A",
        "--redirect-uri",
        "https://a.example/cb",
        "--policy",
        "nope",
    ]);
    assert!(err.contains("--policy"), "{err}");
    let mut c = s.db.db.get_blocking().unwrap();
    assert!(latchkey_store::clients::list(&mut c).unwrap().is_empty());
}

fn rules_of(s: &Setup, name: &str) -> latchkey_store::attestation_policies::PolicyRules {
    let mut c = s.db.db.get_blocking().unwrap();
    latchkey_store::attestation_policies::find_by_name(&mut c, name)
        .unwrap()
        .unwrap()
        .rules
}

#[test]
fn update_prints_the_dry_run_saves_a_tightening_only_with_yes_and_refuses_a_weakening() {
    let s = Setup::new();
    s.ok(&["migrate"]);
    s.account("ann", true, false);
    s.account("bob", false, true);
    s.ok(&["policy", "create", "keys", "--require-attestation"]);
    let before = rules_of(&s, "keys");

    // The dry run: ann's synced passkey would stop complying; nothing saved.
    let out = s.ok(&[
        "policy",
        "update",
        "keys",
        "--require-attestation",
        "--device-bound",
    ]);
    assert!(
        out.contains("tightened: device_bound: synced passkeys allowed -> device-bound only"),
        "{out}"
    );
    assert!(out.contains("ann (would be refused)"), "{out}");
    assert!(out.contains("--yes"), "{out}");
    assert_eq!(rules_of(&s, "keys"), before);

    let out = s.ok(&[
        "policy",
        "update",
        "keys",
        "--require-attestation",
        "--device-bound",
        "--yes",
    ]);
    assert!(out.contains("Saved attestation policy \"keys\""), "{out}");
    assert!(rules_of(&s, "keys").require_device_bound);

    // Relaxing a rule — even with a tightening beside it — is refused, with
    // the way to ask for it.
    let tight = rules_of(&s, "keys");
    let err = s.usage_error(&[
        "policy",
        "update",
        "keys",
        "--device-bound",
        "--refuse-compromised",
        "--yes",
    ]);
    assert!(err.contains("admin console"), "{err}");
    assert!(err.contains("approval"), "{err}");
    assert_eq!(rules_of(&s, "keys"), tight);

    // Unassigning is a weakening too.
    s.ok(&["policy", "assign", "keys", "--tier", "standard"]);
    let err = s.usage_error(&["policy", "unassign", "--tier", "standard"]);
    assert!(err.contains("admin console"), "{err}");
    let mut c = s.db.db.get_blocking().unwrap();
    assert!(
        latchkey_store::attestation_policies::for_tier(&mut c, "standard")
            .unwrap()
            .is_some()
    );
    let err = s.usage_error(&["policy", "update", "nope", "--device-bound"]);
    assert!(err.contains("no attestation policy"), "{err}");
}

#[test]
fn report_csv_has_one_record_per_refused_passkey_with_formulas_defused() {
    let s = Setup::new();
    s.ok(&["migrate"]);
    s.account("=cmd", true, false);
    s.account("bob", false, true);
    s.ok(&["policy", "create", "bound", "--device-bound"]);

    let csv = s.ok(&["policy", "report", "bound", "--csv"]);

    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("policy,account_id,username,"), "{csv}");
    assert!(lines[1].contains(",'=cmd,0,true,"), "{csv}");
    assert!(lines[1].contains("device_bound"), "{csv}");
    assert!(!csv.contains("bob"), "{csv}");
}
