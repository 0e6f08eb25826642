use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn err(pairs: &[(&str, &str)]) -> String {
    Config::from_sources(None, &env(pairs))
        .unwrap_err()
        .to_string()
}

#[test]
fn defaults_need_no_configuration() {
    let (c, warnings) = Config::from_sources(None, &env(&[])).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(c.issuer.as_str(), "http://localhost:8080/");
    assert_eq!(c.data_dir, PathBuf::from("./data"));
    assert_eq!(
        c.database_url,
        DatabaseUrl::sqlite_file("./data/latchkey.db")
    );
    assert!(c.redis_url.is_none());
    assert_eq!(c.rp_id, "localhost");
    assert_eq!(c.rp_origins[0].as_str(), "http://localhost:8080/");
    assert!(matches!(c.master_key, MasterKeySource::DataDir));
    assert!(warnings.is_empty());
}

#[test]
fn trusted_proxies_are_networks_or_addresses_and_default_to_none() {
    let none = Config::from_sources(None, &env(&[])).unwrap().0;
    assert!(none.trusted_proxies.is_empty());
    let some = Config::from_sources(
        None,
        &env(&[(
            "LATCHKEY_TRUSTED_PROXIES",
            "10.0.0.0/8, 192.0.2.7,2001:db8::/32",
        )]),
    )
    .unwrap()
    .0;
    let shown: Vec<String> = some
        .trusted_proxies
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(shown, ["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/32"]);
    assert!(
        err(&[("LATCHKEY_TRUSTED_PROXIES", "10.0.0.0/8,proxy")])
            .starts_with("LATCHKEY_TRUSTED_PROXIES:")
    );
}

#[test]
fn bad_values_name_their_key() {
    assert!(err(&[("LATCHKEY_LISTEN", "bogus")]).starts_with("LATCHKEY_LISTEN:"));
    assert!(err(&[("LATCHKEY_ISSUER", "http://example.com")]).starts_with("LATCHKEY_ISSUER:"));
    assert!(err(&[("LATCHKEY_ISSUER", "https://example.com/idp")]).starts_with("LATCHKEY_ISSUER:"));
    assert!(err(&[("LATCHKEY_DATABASE_URL", "mysql://x")]).starts_with("LATCHKEY_DATABASE_URL:"));
    assert!(err(&[("LATCHKEY_REDIS_URL", "http://x")]).starts_with("LATCHKEY_REDIS_URL:"));
    assert!(err(&[("LATCHKEY_MASTER_KEY", "abc")]).starts_with("LATCHKEY_MASTER_KEY:"));
    assert!(err(&[("LATCHKEY_SESSION_IDLE", "forever")]).starts_with("LATCHKEY_SESSION_IDLE:"));
    assert!(err(&[("LATCHKEY_LOG_FORMAT", "xml")]).starts_with("LATCHKEY_LOG_FORMAT:"));
    assert!(
        err(&[("LATCHKEY_DATABASE_POOL_SIZE", "0")]).starts_with("LATCHKEY_DATABASE_POOL_SIZE:")
    );
    let e = err(&[
        ("LATCHKEY_ISSUER", "https://github.io"),
        ("LATCHKEY_RP_ID", "github.io"),
    ]);
    assert!(e.contains("public suffix"), "{e}");
    let e = err(&[("LATCHKEY_RP_ORIGINS", "https://evil.example")]);
    assert!(e.contains("not inside the relying party id"), "{e}");
}

#[test]
fn unknown_file_key_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latchkey.toml");
    std::fs::write(&path, "listen = \"127.0.0.1:9000\"\nlisten_port = 9000\n").unwrap();
    let e = Config::from_sources(Some(&path), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("listen_port"), "{e}");
}

#[test]
fn environment_overrides_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latchkey.toml");
    std::fs::write(
        &path,
        "listen = \"127.0.0.1:9000\"\nsession_idle = \"30m\"\n",
    )
    .unwrap();
    let (c, _) =
        Config::from_sources(Some(&path), &env(&[("LATCHKEY_LISTEN", "0.0.0.0:9001")])).unwrap();
    assert_eq!(c.listen.to_string(), "0.0.0.0:9001");
    assert_eq!(c.session_idle, Duration::minutes(30));
    std::fs::write(&path, "listen = \"nope\"\n").unwrap();
    let e = Config::from_sources(Some(&path), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("listen:"), "{e}");
}

#[test]
fn unknown_environment_variable_is_a_warning_not_an_error() {
    let (_, warnings) = Config::from_sources(
        None,
        &env(&[
            ("LATCHKEY_PORT", "tcp://10.0.0.1:80"),
            ("LATCHKEY_TEST_DATABASE_URL", "x"),
        ]),
    )
    .unwrap();
    assert_eq!(
        warnings,
        vec!["ignoring unknown environment variable LATCHKEY_PORT".to_owned()]
    );
}

#[test]
fn rp_id_and_origins_follow_the_issuer() {
    let (c, _) =
        Config::from_sources(None, &env(&[("LATCHKEY_ISSUER", "https://id.example.com")])).unwrap();
    assert_eq!(c.rp_id, "id.example.com");
    let (c, _) = Config::from_sources(
        None,
        &env(&[
            ("LATCHKEY_ISSUER", "https://id.example.com"),
            ("LATCHKEY_RP_ID", "example.com"),
            (
                "LATCHKEY_RP_ORIGINS",
                "https://id.example.com, https://example.com",
            ),
        ]),
    )
    .unwrap();
    assert_eq!(c.rp_origins.len(), 2);
}

#[test]
fn durations_parse_with_units() {
    assert_eq!(parse_duration("k", "90s").unwrap(), Duration::seconds(90));
    assert_eq!(parse_duration("k", "7d").unwrap(), Duration::days(7));
    assert!(parse_duration("k", "0s").is_err());
    assert!(parse_duration("k", "5").is_err());
    assert!(parse_duration("k", "h").is_err());
}

#[test]
fn metrics_are_open_by_default_or_behind_a_token_or_on_their_own_address() {
    let (c, _) = Config::from_sources(None, &env(&[])).unwrap();
    assert!(c.metrics.is_open());
    let token = "a".repeat(32);
    let (c, _) = Config::from_sources(None, &env(&[("LATCHKEY_METRICS_TOKEN", &token)])).unwrap();
    assert_eq!(c.metrics.token.unwrap().expose(), &token);
    let (c, _) =
        Config::from_sources(None, &env(&[("LATCHKEY_METRICS_LISTEN", "127.0.0.1:9090")])).unwrap();
    assert_eq!(c.metrics.listen.unwrap().to_string(), "127.0.0.1:9090");
    assert!(!c.metrics.is_open());

    assert!(err(&[("LATCHKEY_METRICS_TOKEN", "short")]).starts_with("LATCHKEY_METRICS_TOKEN:"));
    let spaced = format!("{} x", "a".repeat(32));
    assert!(err(&[("LATCHKEY_METRICS_TOKEN", &spaced)]).starts_with("LATCHKEY_METRICS_TOKEN:"));
    assert!(err(&[("LATCHKEY_METRICS_LISTEN", "nowhere")]).starts_with("LATCHKEY_METRICS_LISTEN:"));
    assert!(
        err(&[("LATCHKEY_METRICS_LISTEN", "127.0.0.1:8080")])
            .starts_with("LATCHKEY_METRICS_LISTEN:")
    );
}

#[test]
fn metrics_settings_are_read_from_the_file_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latchkey.toml");
    std::fs::write(
        &path,
        "[metrics]\ntoken = \"0123456789abcdef0123456789abcdef\"\nlisten = \"127.0.0.1:9100\"\n",
    )
    .unwrap();
    let (c, _) = Config::from_sources(Some(&path), &env(&[])).unwrap();
    assert!(c.metrics.token.is_some());
    assert_eq!(c.metrics.listen.unwrap().port(), 9100);
    std::fs::write(&path, "[metrics]\ntokn = \"x\"\n").unwrap();
    assert!(Config::from_sources(Some(&path), &env(&[])).is_err());
}

#[test]
fn a_metadata_url_is_refused_because_blobs_are_imported_with_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latchkey.toml");
    std::fs::write(
        &path,
        "[metadata]\nurl = \"https://mds3.fidoalliance.org/\"\n",
    )
    .unwrap();
    let e = Config::from_sources(Some(&path), &env(&[]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("metadata"), "{e}");
}

fn from_file(text: &str) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latchkey.toml");
    std::fs::write(&path, text).unwrap();
    Config::from_sources(Some(&path), &env(&[])).map(|(c, _)| c)
}

const SHORT_RECOVERY: &str = r#"
[recovery.standard.recover_account]
factors = 1
factor_kinds = ["recovery_code", "email_link"]
delay = "5s"
approvals = 0
lifetime = "1h"
revokes = ["other_passkeys", "sessions", "refresh_families"]
"#;

#[test]
fn recovery_policies_from_the_file_replace_the_defaults() {
    use latchkey_core::AccountTier;
    use latchkey_recovery::ActionKind;
    let defaults = from_file("").unwrap().policies;
    assert_eq!(
        defaults
            .policy(AccountTier::Standard, ActionKind::RecoverAccount)
            .delay,
        Duration::hours(1)
    );
    let c = from_file(SHORT_RECOVERY).unwrap();
    let p = c
        .policies
        .policy(AccountTier::Standard, ActionKind::RecoverAccount);
    assert_eq!(p.delay, Duration::seconds(5));
    assert_eq!(p.lifetime, Duration::hours(1));
    // Other pairs keep their defaults.
    assert_eq!(
        c.policies
            .policy(AccountTier::Elevated, ActionKind::RecoverAccount)
            .approvals,
        2
    );
}

#[test]
fn bad_recovery_policies_stop_start_up_with_a_clear_error() {
    let bad = SHORT_RECOVERY.replace("lifetime = \"1h\"", "lifetime = \"2s\"");
    let e = from_file(&bad).unwrap_err().to_string();
    assert!(e.starts_with("recovery:"), "{e}");
    assert!(e.contains("lifetime must be longer than delay"), "{e}");

    let weaker = r#"
[recovery.elevated.recover_account]
factors = 1
factor_kinds = ["recovery_code"]
delay = "30m"
approvals = 0
lifetime = "7d"
revokes = ["other_passkeys", "sessions", "refresh_families"]
"#;
    let e = from_file(weaker).unwrap_err().to_string();
    assert!(e.contains("weaker than the standard one"), "{e}");

    let unknown = SHORT_RECOVERY.replace("approvals = 0", "approvals = 0\nsms = true");
    let e = from_file(&unknown).unwrap_err().to_string();
    assert!(e.contains("sms"), "{e}");
    let tier = SHORT_RECOVERY.replace("recovery.standard", "recovery.platinum");
    let e = from_file(&tier).unwrap_err().to_string();
    assert!(e.contains("platinum"), "{e}");
}

#[test]
fn a_security_webhook_needs_an_https_or_loopback_url_and_a_long_secret() {
    const URL: &str = "LATCHKEY_SECURITY_WEBHOOK_URL";
    const SECRET: &str = "LATCHKEY_SECURITY_WEBHOOK_SECRET";
    let long = "x".repeat(32);
    assert!(
        Config::from_sources(None, &env(&[]))
            .unwrap()
            .0
            .security_webhook
            .is_none()
    );
    let (c, _) = Config::from_sources(
        None,
        &env(&[(URL, "https://hooks.example.com/latchkey"), (SECRET, &long)]),
    )
    .unwrap();
    let (url, secret) = c.security_webhook.unwrap();
    assert_eq!(url.as_str(), "https://hooks.example.com/latchkey");
    assert_eq!(secret.expose(), &long);

    let no_secret = err(&[(URL, "https://hooks.example.com/latchkey")]);
    assert!(
        no_secret.contains(URL) && no_secret.contains("secret"),
        "{no_secret}"
    );
    let no_url = err(&[(SECRET, &long)]);
    assert!(no_url.contains(SECRET), "{no_url}");
    let short = err(&[(URL, "https://hooks.example.com/"), (SECRET, "too short")]);
    assert!(short.contains(SECRET) && short.contains("32"), "{short}");
    let plain = err(&[(URL, "http://hooks.example.com/"), (SECRET, &long)]);
    assert!(plain.contains(URL) && plain.contains("https"), "{plain}");
    assert!(!plain.contains(&long), "the secret is never in a message");
}

#[test]
fn branding_is_read_from_the_table_or_the_environment_and_checked() {
    let c = from_file(
        "instance_name = \"Acme ID\"\n[branding]\ncolour = \"#1f4fd1\"\nsupport_url = \"https://help.acme.example\"\n",
    )
    .unwrap();
    assert_eq!(c.branding.name, "Acme ID");
    assert_eq!(c.branding.colour.unwrap().to_string(), "#1f4fd1");
    assert_eq!(
        c.branding.support_url.as_deref(),
        Some("https://help.acme.example/")
    );
    let none = Config::from_sources(None, &env(&[])).unwrap().0;
    assert_eq!(none.branding.name, "Latchkey");
    assert!(none.branding.colour.is_none() && none.branding.logo.is_none());

    let e = err(&[("LATCHKEY_BRANDING_COLOUR", "#ffcc00")]);
    assert!(
        e.contains("LATCHKEY_BRANDING_COLOUR") && e.contains("1.51:1"),
        "{e}"
    );
    let e = err(&[("LATCHKEY_BRANDING_SUPPORT_URL", "ftp://x.example")]);
    assert!(e.contains("LATCHKEY_BRANDING_SUPPORT_URL"), "{e}");
    let e = err(&[("LATCHKEY_BRANDING_LOGO_FILE", "/nonexistent/logo.png")]);
    assert!(e.contains("cannot read"), "{e}");
    let dir = tempfile::tempdir().unwrap();
    let gif = dir.path().join("logo.gif");
    std::fs::write(&gif, b"GIF89a").unwrap();
    let e = err(&[("LATCHKEY_BRANDING_LOGO_FILE", gif.to_str().unwrap())]);
    assert!(e.contains("PNG or an SVG"), "{e}");
    assert!(from_file("[branding]\nlogo = \"x\"\n").is_err());
}

#[test]
fn the_instance_name_defaults_to_latchkey_and_is_set_by_file_or_environment() {
    let default = Config::from_sources(None, &env(&[])).unwrap().0;
    assert_eq!(default.instance_name, "Latchkey");
    let from_file = from_file("instance_name = \"Example Corp\"\n").unwrap();
    assert_eq!(from_file.instance_name, "Example Corp");
    let from_env = Config::from_sources(None, &env(&[("LATCHKEY_INSTANCE_NAME", " Acme ID ")]))
        .unwrap()
        .0;
    assert_eq!(from_env.instance_name, "Acme ID");
    for bad in ["", "   ", &"x".repeat(65), "two\nlines"] {
        assert!(
            err(&[("LATCHKEY_INSTANCE_NAME", bad)]).starts_with("LATCHKEY_INSTANCE_NAME:"),
            "{bad:?}"
        );
    }
}
