//! `latchkey client update` and `latchkey client rotate-secret` as an
//! operator runs them.

use std::path::Path;
use std::process::{Command, Output};

use latchkey_testkit::TestDb;

const BIN: &str = env!("CARGO_BIN_EXE_latchkey");

fn run(dir: &Path, db: &TestDb, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("LATCHKEY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("LATCHKEY_LOG_FORMAT", "json")
        .env("LATCHKEY_DATABASE_URL", &db.url_text)
        .args(args);
    cmd.output().unwrap()
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The value after `name: ` on a line of the output.
fn field(out: &str, name: &str) -> Option<String> {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .map(str::to_owned)
}

fn create(dir: &Path, db: &TestDb, public: bool) -> String {
    let mut args = vec![
        "client",
        "create",
        "--name",
        "Wiki",
        "--redirect-uri",
        "https://wiki.example.com/cb",
    ];
    if public {
        args.push("--public");
    }
    let out = run(dir, db, &args);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout} {stderr}");
    field(&stdout, "client_id").unwrap()
}

/// Whether a row matches `condition` (an UPDATE that changes nothing).
fn matches(db: &TestDb, id: &str, condition: &str) -> bool {
    db.execute(&format!(
        "UPDATE clients SET name = name WHERE id = '{id}' AND {condition}"
    )) == 1
}

#[test]
fn client_update_replaces_what_is_given_keeps_the_rest_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::unmigrated();
    let id = create(dir.path(), &db, false);

    let out = run(
        dir.path(),
        &db,
        &[
            "client",
            "update",
            &id,
            "--name",
            "Team wiki",
            "--redirect-uri",
            "https://wiki.example.com/cb2",
            "--min-acr",
            "phrh",
            "--first-party",
            "true",
        ],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout} {stderr}");
    assert!(stdout.contains("\"Team wiki\""), "{stdout}");
    assert!(stdout.contains("redirect_uri: https://wiki.example.com/cb2"));
    assert!(!stdout.contains("redirect_uri: https://wiki.example.com/cb\n"));
    assert!(stdout.contains("min_acr: phrh"), "{stdout}");
    assert!(matches(
        &db,
        &id,
        "first_party AND min_acr = 'phrh' AND redirect_uris = '[\"https://wiki.example.com/cb2\"]'"
    ));
    // The scopes were not given: unchanged.
    assert!(stdout.contains("openid"), "{stdout}");

    let out = run(
        dir.path(),
        &db,
        &["client", "update", &id, "--min-acr", "none"],
    );
    assert!(out.status.success());
    assert!(matches(&db, &id, "min_acr IS NULL AND first_party"));

    // Bad input: exit 2 naming the flag, nothing changed.
    let out = run(
        dir.path(),
        &db,
        &[
            "client",
            "update",
            &id,
            "--redirect-uri",
            "http://evil.example.com/cb",
        ],
    );
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--redirect-uri"), "{stderr}");
    assert!(matches(
        &db,
        &id,
        "redirect_uris = '[\"https://wiki.example.com/cb2\"]'"
    ));
    assert_eq!(
        run(
            dir.path(),
            &db,
            &["client", "update", "not a client id!", "--name", "x"]
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(
            dir.path(),
            &db,
            &[
                "client",
                "update",
                "lk_00000000000000000000000000000000",
                "--name",
                "x"
            ]
        )
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn client_rotate_secret_prints_a_new_secret_once_and_keeps_the_old_one_for_the_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::unmigrated();
    let id = create(dir.path(), &db, false);

    let out = run(
        dir.path(),
        &db,
        &["client", "rotate-secret", &id, "--overlap", "2h"],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout} {stderr}");
    let secret = stdout
        .lines()
        .find(|l| l.starts_with("lkcs_"))
        .expect("the new secret is printed");
    assert!(
        stdout.contains("The previous secret is accepted until"),
        "{stdout}"
    );
    assert!(
        !stderr.contains(secret),
        "the secret never reaches the logs"
    );
    assert!(matches(
        &db,
        &id,
        "previous_secret_hash IS NOT NULL AND previous_secret_expires_at IS NOT NULL"
    ));

    let out = run(
        dir.path(),
        &db,
        &["client", "rotate-secret", &id, "--overlap", "0"],
    );
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(stdout.contains("no longer works"), "{stdout}");
    assert!(matches(&db, &id, "previous_secret_hash IS NULL"));

    let out = run(
        dir.path(),
        &db,
        &["client", "rotate-secret", &id, "--overlap", "31d"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("--overlap"));

    let public = create(dir.path(), &db, true);
    let out = run(dir.path(), &db, &["client", "rotate-secret", &public]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).1.contains("public client"));
}
