//! The `latchkey` binary as an operator runs it.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use latchkey_testkit::TestDb;

mod clients;

const BIN: &str = env!("CARGO_BIN_EXE_latchkey");

/// A command with no inherited LATCHKEY_* settings, JSON logs, in `dir`.
fn latchkey(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("LATCHKEY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("LATCHKEY_LOG_FORMAT", "json");
    cmd
}

/// Runs `latchkey ARGS` in `dir` against the test database `db` and waits
/// for it.
fn run_on(dir: &Path, db: &latchkey_testkit::TestDb, args: &[&str]) -> std::process::Output {
    let mut c = latchkey(dir);
    c.env("LATCHKEY_DATABASE_URL", &db.url_text).args(args);
    c.output().unwrap()
}

struct Served {
    child: Child,
    port: u16,
}

/// Starts `serve` on a free port and waits for its "listening" log line.
fn serve(mut cmd: Command) -> Served {
    cmd.env("LATCHKEY_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line)
                && v["message"] == "listening"
            {
                let _ = tx.send(v["port"].as_u64().unwrap() as u16);
            }
        }
    });
    let port = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("the server did not start: {:?}", child.try_wait()));
    Served { child, port }
}

/// What a stopped child wrote on standard error.
fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut err, &mut text);
    }
    text
}

fn sigterm(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    for _ in 0..100 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("the server did not stop within 10 s of SIGTERM");
}

#[test]
fn serve_with_bogus_listen_address_exits_non_zero_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = latchkey(dir.path())
        .arg("serve")
        .env("LATCHKEY_LISTEN", "bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("LATCHKEY_LISTEN"), "{stderr}");
    assert!(
        !dir.path().join("data").exists(),
        "nothing may be created on a configuration error"
    );
}

#[test]
fn serve_with_unknown_key_in_config_file_exits_non_zero_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("latchkey.toml"),
        "issuer = \"http://localhost:8080\"\nlisten_addr = \"x\"\n",
    )
    .unwrap();
    let out = latchkey(dir.path())
        .args(["--config", "latchkey.toml", "serve"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("listen_addr"), "{stderr}");
}

#[tokio::test]
async fn serve_without_configuration_keeps_its_data_under_dot_data_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = serve({
        let mut c = latchkey(dir.path());
        c.arg("serve");
        c
    });
    let base = format!("http://127.0.0.1:{}", served.port);
    let client = reqwest::Client::new();
    for path in ["/healthz", "/readyz", "/metrics"] {
        let res = client.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    let metrics = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("# TYPE latchkey_http_requests_total counter"));
    let data = dir.path().join("data");
    assert!(data.join("latchkey.db").exists());
    let key = data.join("master.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let status = sigterm(&mut served.child);
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn audit_verify_passes_on_an_intact_log_and_names_the_row_that_was_changed() {
    let dir = tempfile::tempdir().unwrap();
    // The database the environment names (PostgreSQL schema or SQLite file).
    let db = tokio::task::spawn_blocking(TestDb::unmigrated)
        .await
        .unwrap();
    let with_db = |args: &[&str]| {
        let mut c = latchkey(dir.path());
        c.env("LATCHKEY_DATABASE_URL", &db.url_text).args(args);
        c
    };
    let mut served = serve(with_db(&["serve"]));
    let status = sigterm(&mut served.child);
    assert!(
        status.success(),
        "{status:?}: {}",
        stderr_of(&mut served.child)
    );

    let out = with_db(&["audit", "verify"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // instance, master key, active and next signing keys, bootstrap link,
    // the guarded-action policies stored.
    assert!(stdout.contains("audit chain intact: 6 events"), "{stdout}");

    // Someone with database access edits the first event.
    let changed =
        db.execute("UPDATE audit_events SET detail = '{\"version\":\"0.0.0\"}' WHERE seq = 1");
    assert_eq!(changed, 1);

    let out = with_db(&["audit", "verify"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("audit event #1 was changed"), "{stdout}");
}

#[test]
fn audit_verify_without_a_master_key_refuses_instead_of_inventing_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = latchkey(dir.path())
        .args(["audit", "verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no master key"), "{stderr}");
    assert!(!dir.path().join("data/master.key").exists());
}

#[test]
fn migrate_applies_the_schema_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = latchkey(dir.path()).arg("migrate").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("database is up to date"));
    }
}

#[test]
fn keys_rotate_promotes_the_published_next_key_and_keeps_the_old_one_published() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::unmigrated();
    let run = |args: &[&str]| run_on(dir.path(), &db, args);
    assert!(run(&["migrate"]).status.success());
    // The first start creates the ES256 keys: active and next.
    let out = run(&["client", "list"]);
    assert!(out.status.success());
    let out = run(&["keys", "rotate"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("ES256:"), "{stdout}");
    assert!(stdout.contains("promoted"), "{stdout}");
    assert!(stdout.contains("retired"), "{stdout}");
    assert!(stdout.contains("stays in the JWKS until"), "{stdout}");
    // One retired, one active, one next.
    assert_eq!(
        db.execute("UPDATE signing_keys SET alg = alg WHERE alg = 'ES256'"),
        3
    );
}

#[test]
fn a_request_in_flight_at_sigterm_is_answered_before_the_server_exits() {
    use std::io::{Read as _, Write as _};
    let dir = tempfile::tempdir().unwrap();
    let mut served = serve({
        let mut c = latchkey(dir.path());
        c.arg("serve");
        c
    });
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = "grant_type=client_credentials";
    // Headers and half the body: the request is in flight.
    write!(
        stream,
        "POST /token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        &body[..10]
    )
    .unwrap();
    stream.flush().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        served.child.try_wait().unwrap().is_none(),
        "the server waits for the request in flight"
    );
    stream.write_all(&body.as_bytes()[10..]).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    // Answered in full: no client authentication, so 401 invalid_client.
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("invalid_client"), "{answer}");
    // Then it stops on its own, cleanly.
    let mut exited = None;
    for _ in 0..100 {
        exited = served.child.try_wait().unwrap();
        if exited.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = exited.expect("the server exits after the last request");
    assert!(status.success(), "{status:?}");
}

#[test]
fn user_invite_prints_a_link_under_the_configured_issuer_and_names_it_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = latchkey(dir.path())
        .args(["user", "invite", "Ada@Example.com"])
        .env("LATCHKEY_ISSUER", "https://login.example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("Invitation for ada@example.com"),
        "{stdout}"
    );
    assert!(
        stdout.contains("https://login.example.com/invite/lki_"),
        "{stdout}"
    );
    assert!(
        stderr.contains("issuer https://login.example.com/ (from LATCHKEY_ISSUER)"),
        "{stderr}"
    );

    // Without any configuration the default is used, and said to be one.
    let out = latchkey(dir.path())
        .args(["user", "invite", "bob@example.com", "--admin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("http://localhost:8080/invite/lki_"),
        "{stdout}"
    );
    assert!(stderr.contains("the built-in default"), "{stderr}");

    let out = latchkey(dir.path())
        .args(["user", "invite", "not-an-address"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[tokio::test]
async fn user_disable_disables_the_named_account_audited_as_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::unmigrated();
    let run = |args: &[&str]| run_on(dir.path(), &db, args);
    assert!(run(&["migrate"]).status.success());
    let now = latchkey_core::Clock::now(&latchkey_core::SystemClock);
    let bob = db
        .db
        .run(move |c| {
            latchkey_store::users::create(
                c,
                &latchkey_store::users::NewUser {
                    username: "bob".into(),
                    display_name: "Bob".into(),
                    email: None,
                    tier: latchkey_core::AccountTier::Standard,
                },
                now,
            )
        })
        .await
        .unwrap()
        .user_id()
        .unwrap();

    let out = run(&["user", "disable", "bob"]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout} {:?}", out.stderr);
    assert!(
        stdout.contains("Disabled bob: 0 session(s) ended"),
        "{stdout}"
    );
    let found = db
        .db
        .run(move |c| latchkey_store::users::find(c, bob))
        .await
        .unwrap()
        .unwrap();
    assert!(found.is_disabled());
    let events = db
        .db
        .run(|c| latchkey_store::audit::AuditChain::recent(c, 100))
        .await
        .unwrap();
    let disabled: Vec<_> = events
        .iter()
        .filter(|e| e.kind == "user.disabled")
        .collect();
    assert_eq!(disabled.len(), 1);
    assert_eq!(disabled[0].actor.as_deref(), Some("cli"));
    assert_eq!(disabled[0].subject.as_deref(), Some(&*bob.to_string()));

    // Again: already disabled, nothing more recorded; an unknown name: 2.
    let out = run(&["user", "disable", "bob"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("disabled already"));
    assert_eq!(run(&["user", "disable", "nobody"]).status.code(), Some(2));
    // There is no command to enable an account again.
    assert!(!run(&["user", "enable", "bob"]).status.success());
}
