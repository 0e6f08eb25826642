//! `latchkey keys rotate`: promotes every algorithm's next signing key,
//! retires the active one and publishes a fresh next key.

use std::process::ExitCode;

use anyhow::Context as _;
use chrono::Duration;
use latchkey_core::{Clock as _, SystemClock};
use latchkey_oidc::keys::{self, RotationReport};

use crate::config::Config;

/// How long a retired key stays in the JWKS (shared with the console).
pub const RETIRE_AFTER: Duration = keys::RETIRE_AFTER;

/// Rotates the signing keys of every algorithm in use and prints what
/// happened. Running nodes pick the change up at their next key reload.
pub async fn rotate(config: Config) -> anyhow::Result<ExitCode> {
    let instance = crate::startup::open_instance(&config).await?;
    let now = SystemClock.now();
    let (db, master, audit) = (
        instance.db.clone(),
        instance.master.clone(),
        instance.audit.clone(),
    );
    let report = tokio::task::spawn_blocking(move || {
        let mut conn = db.get_blocking()?;
        keys::rotate(&mut conn, &master, &audit, now, RETIRE_AFTER)
            .context("rotating the signing keys")
    })
    .await??;
    print!("{}", describe(&report));
    Ok(ExitCode::SUCCESS)
}

/// The report as the command prints it.
pub fn describe(report: &RotationReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if report.rotations.is_empty() {
        out.push_str(
            "No signing keys were rotated (none exist yet, or another node is rotating them).\n",
        );
        return out;
    }
    for r in &report.rotations {
        let _ = writeln!(out, "{}:", r.alg);
        match &r.activated {
            Some(kid) => {
                let _ = writeln!(
                    out,
                    "  promoted {kid} from next to active (signs new tokens)"
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "  no next key was published, so nothing was promoted; rotate again once relying parties have fetched the new next key"
                );
            }
        }
        if let (Some(kid), Some(until)) = (&r.retired, r.publish_until) {
            let _ = writeln!(
                out,
                "  retired  {kid} (stays in the JWKS until {} UTC)",
                until.format("%Y-%m-%d %H:%M:%S")
            );
        }
        let _ = writeln!(
            out,
            "  created  {} as the next key (published now, signs after the next rotation)",
            r.created_next
        );
    }
    out.push_str("Running servers pick up the new keys within a minute.\n");
    out
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Utc};
    use latchkey_core::SigningKeyId;
    use latchkey_oidc::keys::Rotation;
    use latchkey_oidc::signing::SigningAlg;

    use super::*;

    #[test]
    fn report_names_promoted_retired_and_created_keys_with_the_publish_deadline() {
        let id = |s: &str| SigningKeyId::parse(s).unwrap();
        let until = DateTime::<Utc>::from_timestamp(1_893_459_600, 0).unwrap();
        let report = RotationReport {
            rotations: vec![Rotation {
                alg: SigningAlg::Es256,
                activated: Some(id("next1")),
                retired: Some(id("old1")),
                publish_until: Some(until),
                created_next: id("new1"),
            }],
        };

        let text = describe(&report);

        assert!(text.contains("ES256:"), "{text}");
        assert!(text.contains("promoted next1"), "{text}");
        assert!(
            text.contains("retired  old1 (stays in the JWKS until 2030-01-01 01:00:00 UTC)"),
            "{text}"
        );
        assert!(text.contains("created  new1"), "{text}");
        assert!(describe(&RotationReport::default()).contains("No signing keys were rotated"));
    }
}
