//! `latchkey client create`, `client list`, `client disable` and `client
//! enable` as an operator runs them.

use latchkey_testkit::TestDb;

use crate::run_on;

/// The value after `name: ` on a line of the output.
fn field(out: &str, name: &str) -> Option<String> {
    out.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .map(str::to_owned)
}

#[test]
fn client_create_prints_the_secret_once_and_stores_only_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::unmigrated();
    let run = |args: &[&str]| run_on(dir.path(), &db, args);
    let out = run(&[
        "client",
        "create",
        "--name",
        "Payroll",
        "--redirect-uri",
        "https://payroll.example.com/callback",
        "--redirect-uri",
        "http://localhost:3000/callback",
        "--min-acr",
        "phrh",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = field(&stdout, "client_id").expect("the client id is printed");
    let secret = field(&stdout, "client_secret").expect("the secret is printed once");
    assert!(id.starts_with("lk_"), "{id}");
    // Only the result on stdout: logs go to stderr.
    assert!(!stdout.contains("\"level\""), "{stdout}");
    assert_eq!(
        db.execute(&format!(
            "UPDATE clients SET name = name WHERE id = '{id}' AND min_acr = 'phrh' AND secret_hash IS NOT NULL"
        )),
        1
    );

    let out = run(&["client", "list"]);
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success());
    assert!(
        listing.contains(&id) && listing.contains("Payroll"),
        "{listing}"
    );
    assert!(!listing.contains(&secret), "a secret is never shown again");

    let out = run(&[
        "client",
        "create",
        "--name",
        "Mobile",
        "--redirect-uri",
        "com.example.app:/callback",
        "--public",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}");
    assert!(field(&stdout, "client_id").is_some());
    assert!(
        field(&stdout, "client_secret").is_none(),
        "public clients have none"
    );

    // Bad input: exit 2 naming the flag, nothing registered.
    for (args, flag) in [
        (
            vec![
                "client",
                "create",
                "--name",
                "X",
                "--redirect-uri",
                "http://example.com/cb",
            ],
            "--redirect-uri",
        ),
        (
            vec![
                "client",
                "create",
                "--name",
                "X",
                "--redirect-uri",
                "https://a.example/cb#frag",
            ],
            "--redirect-uri",
        ),
        (
            vec![
                "client",
                "create",
                "--name",
                " ",
                "--redirect-uri",
                "https://a.example/cb",
            ],
            "--name",
        ),
        (
            vec![
                "client",
                "create",
                "--name",
                "X",
                "--redirect-uri",
                "https://a.example/cb",
                "--min-acr",
                "gold",
            ],
            "--min-acr",
        ),
    ] {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(flag), "{args:?}: {stderr}");
    }
    let out = run(&["client", "list"]);
    let listing = String::from_utf8_lossy(&out.stdout);
    assert_eq!(listing.matches("type: ").count(), 2, "{listing}");
}

#[test]
fn client_create_registers_scopes_and_resources_and_client_list_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::unmigrated();
    let run = |args: &[&str]| run_on(dir.path(), &db, args);
    let out = run(&[
        "client",
        "create",
        "--name",
        "Orders sync",
        "--redirect-uri",
        "https://orders.example.com/cb",
        "--scope",
        "orders:read",
        "--scope",
        "orders:write",
        "--resource",
        "https://api.example.com/orders",
        "--resource",
        "http://localhost:9000/",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout} {stderr}");
    assert_eq!(
        field(&stdout, "scopes").as_deref(),
        Some("orders:read orders:write")
    );
    assert!(
        stdout.contains("resource: https://api.example.com/orders\n"),
        "{stdout}"
    );
    // Without openid, the client cannot sign users in: the operator is told.
    assert!(stderr.contains("openid"), "{stderr}");
    let api = field(&stdout, "client_id").unwrap();
    let out = run(&[
        "client",
        "create",
        "--name",
        "Wiki",
        "--redirect-uri",
        "https://wiki.example.com/cb",
    ]);
    assert!(out.status.success());
    let wiki = field(&String::from_utf8_lossy(&out.stdout), "client_id").unwrap();

    let out = run(&["client", "list"]);
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{listing}");
    let block = |id: &str| {
        let start = listing.find(id).unwrap();
        let rest = &listing[start..];
        // Up to and with the newline before the next client.
        let end = rest[1..].find("\nlk_").map_or(rest.len(), |i| i + 2);
        rest[..end].to_owned()
    };
    let api = block(&api);
    assert!(
        api.contains("  scopes: orders:read orders:write\n"),
        "{listing}"
    );
    assert!(
        api.contains("  resource: https://api.example.com/orders\n"),
        "{listing}"
    );
    assert!(
        api.contains("  resource: http://localhost:9000/\n"),
        "{listing}"
    );
    let wiki = block(&wiki);
    assert!(
        wiki.contains("  scopes: email offline_access openid profile\n"),
        "{listing}"
    );
    assert!(!wiki.contains("resource:"), "{listing}");

    // Bad values: exit 2 naming the flag, nothing registered.
    for (flag, value) in [
        ("--scope", "orders read"),
        ("--scope", "quo\"te"),
        ("--resource", "https://api.example.com/#x"),
        ("--resource", "http://api.example.com/"),
        ("--resource", "api.example.com"),
    ] {
        let out = run(&[
            "client",
            "create",
            "--name",
            "X",
            "--redirect-uri",
            "https://x.example.com/cb",
            flag,
            value,
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
    }
    let out = run(&["client", "list"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .matches("type: ")
            .count(),
        2
    );
}

#[test]
fn client_disable_and_enable_are_reported_and_refuse_unknown_ids() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::unmigrated();
    let run = |args: &[&str]| run_on(dir.path(), &db, args);
    let out = run(&[
        "client",
        "create",
        "--name",
        "Wiki",
        "--redirect-uri",
        "https://wiki.example.com/cb",
    ]);
    assert!(out.status.success());
    let id = field(&String::from_utf8_lossy(&out.stdout), "client_id").unwrap();

    let out = run(&["client", "disable", &id]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("0 refresh-token grants and every access token revoked"),
        "{stdout}"
    );
    let listing = String::from_utf8_lossy(&run(&["client", "list"]).stdout).into_owned();
    assert!(listing.contains("(disabled)"), "{listing}");
    // Twice: nothing to disable.
    assert_eq!(run(&["client", "disable", &id]).status.code(), Some(1));

    assert!(run(&["client", "enable", &id]).status.success());
    let listing = String::from_utf8_lossy(&run(&["client", "list"]).stdout).into_owned();
    assert!(!listing.contains("(disabled)"), "{listing}");
    assert_eq!(run(&["client", "enable", &id]).status.code(), Some(1));

    assert_eq!(
        run(&["client", "disable", "not a client id!"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["client", "disable", "lk_00000000000000000000000000000000"])
            .status
            .code(),
        Some(1)
    );
}
