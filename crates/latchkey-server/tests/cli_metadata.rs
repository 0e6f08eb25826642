//! `latchkey metadata import` and `status` as an operator runs them, with
//! blobs signed under a test root (this build trusts it through
//! LATCHKEY_DANGER_TEST_MDS_ROOT; release builds cannot).

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use chrono::Days;
use latchkey_core::{Clock as _, SystemClock};
use latchkey_testkit::{TestDb, TestMds};

const BIN: &str = env!("CARGO_BIN_EXE_latchkey");

/// A command with no inherited LATCHKEY_* settings, JSON logs, in `dir`, on
/// `db`.
fn latchkey(dir: &Path, db: &TestDb) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("LATCHKEY_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("LATCHKEY_LOG_FORMAT", "json")
        .env("LATCHKEY_DATABASE_URL", &db.url_text);
    cmd
}

/// The binary runs on the real clock: dates relative to today.
fn days_from_today(days: i64) -> String {
    let today = SystemClock.now().date_naive();
    let day = if days >= 0 {
        today.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        today.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    day.unwrap().format("%Y-%m-%d").to_string()
}

struct Setup {
    dir: tempfile::TempDir,
    db: TestDb,
    mds: TestMds,
}

impl Setup {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mds = TestMds::new();
        std::fs::write(dir.path().join("root.pem"), mds.root_pem()).unwrap();
        Self {
            dir,
            db: TestDb::unmigrated(),
            mds,
        }
    }

    /// A command trusting the test root.
    fn cmd(&self) -> Command {
        let mut c = latchkey(self.dir.path(), &self.db);
        c.env(
            "LATCHKEY_DANGER_TEST_MDS_ROOT",
            self.dir.path().join("root.pem"),
        );
        c
    }

    /// Writes `blob` to a file and imports it.
    fn import(&self, blob: &str) -> Output {
        let path = self.dir.path().join("blob.jwt");
        std::fs::write(&path, blob).unwrap();
        self.cmd()
            .args(["metadata", "import"])
            .arg(&path)
            .output()
            .unwrap()
    }

    fn status(&self) -> String {
        let out = self.cmd().args(["metadata", "status"]).output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn metadata_import_prints_count_serial_and_next_update_and_status_shows_them() {
    let s = Setup::new();
    let next_update = days_from_today(20);
    assert!(s.status().contains("No FIDO metadata blob imported"));

    let out = s.import(&s.mds.blob(&TestMds::standard_payload(5, &next_update)));

    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains(&format!(
            "Imported FIDO metadata blob #5: 2 authenticator models, next update {next_update}."
        )),
        "{stdout}"
    );
    assert!(!stdout.contains("Warning"), "{stdout}");
    let status = s.status();
    assert!(status.contains("serial:      5"), "{status}");
    assert!(status.contains("entries:     2"), "{status}");
    assert!(
        status.contains(&format!("next update: {next_update}")),
        "{status}"
    );
    assert!(!status.contains("Warning"), "{status}");
}

#[test]
fn metadata_import_refuses_bad_blobs_with_the_reason_and_stores_nothing() {
    let s = Setup::new();
    let next_update = days_from_today(20);
    let good = s.mds.blob(&TestMds::standard_payload(5, &next_update));
    let tampered = TestMds::tampered(&good, &TestMds::standard_payload(6, &next_update));
    let other_root = TestMds::new().blob(&TestMds::standard_payload(5, &next_update));
    let stale = s
        .mds
        .blob(&TestMds::standard_payload(5, &days_from_today(-30)));

    for (blob, reason) in [
        (tampered.as_str(), "signature does not verify"),
        (other_root.as_str(), "does not lead to the trusted root"),
        (stale.as_str(), "is out of date"),
        ("not a blob", "is malformed"),
    ] {
        let out = s.import(blob);
        assert_eq!(out.status.code(), Some(1), "{reason}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(reason), "{reason}: {stderr}");
        assert!(stderr.contains("Nothing was imported."), "{stderr}");
    }
    assert!(s.status().contains("No FIDO metadata blob imported"));

    // Without the test root the binary trusts only the FIDO Alliance's.
    let path = s.dir.path().join("good.jwt");
    std::fs::write(&path, &good).unwrap();
    let out = latchkey(s.dir.path(), &s.db)
        .args(["metadata", "import"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("does not lead to the trusted root"));
    assert!(s.status().contains("No FIDO metadata blob imported"));
}

#[test]
fn metadata_import_refuses_an_older_serial_than_the_imported_one() {
    let s = Setup::new();
    let next_update = days_from_today(20);
    assert!(
        s.import(&s.mds.blob(&TestMds::standard_payload(5, &next_update)))
            .status
            .success()
    );

    let out = s.import(&s.mds.blob(&TestMds::standard_payload(4, &next_update)));

    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("serial 4, older than the imported blob's serial 5"),
        "{stderr}"
    );
    assert!(s.status().contains("serial:      5"));
}

#[test]
fn a_blob_past_next_update_is_imported_within_the_grace_with_warnings_and_serve_warns_at_start() {
    let s = Setup::new();
    let out = s.import(
        &s.mds
            .blob(&TestMds::standard_payload(5, &days_from_today(-2))),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Warning: this blob is past its nextUpdate"));
    assert!(
        s.status()
            .contains("Warning: the blob is past its nextUpdate")
    );

    let mut child = s
        .cmd()
        .arg("serve")
        .env("LATCHKEY_LISTEN", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut warned = false;
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let message = v["message"].as_str().unwrap_or_default();
        if message.contains("past its nextUpdate") {
            assert_eq!(v["level"], "WARN", "{line}");
            warned = true;
        }
        if message == "listening" || Instant::now() > deadline {
            break;
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(warned, "no start-up warning about the stale metadata");
}
