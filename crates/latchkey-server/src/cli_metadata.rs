//! `latchkey metadata import FILE` and `latchkey metadata status`: the FIDO
//! metadata (MDS3) blob, imported by the operator. There is no scheduled
//! download: the server makes no outbound connections unless configured
//! to, so a cron job downloads the blob and runs the import.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use latchkey_accounts::{AccountsError, Metadata};
use latchkey_core::SystemClock;
use latchkey_passkey::mds::TrustAnchor;

use crate::config::Config;

/// Where tests name their own metadata root (a PEM file). Only builds with
/// the `danger-test-mds-root` feature read it; the binary operators run
/// trusts the FIDO Alliance's root alone.
#[cfg(feature = "danger-test-mds-root")]
pub const TEST_ROOT_VAR: &str = "LATCHKEY_DANGER_TEST_MDS_ROOT";

/// The root blobs must chain to.
fn trust_anchor() -> anyhow::Result<TrustAnchor> {
    #[cfg(feature = "danger-test-mds-root")]
    if let Some(path) = std::env::var_os(TEST_ROOT_VAR) {
        let pem = std::fs::read(&path)
            .with_context(|| format!("reading {}", Path::new(&path).display()))?;
        tracing::warn!("trusting a test metadata root ({TEST_ROOT_VAR}); never in production");
        return Ok(TrustAnchor::from_pem(&pem)?);
    }
    Ok(TrustAnchor::fido())
}

async fn service(config: &Config) -> anyhow::Result<Metadata> {
    let instance = crate::startup::open_instance(config).await?;
    Ok(Metadata::new(
        instance.db.clone(),
        instance.audit.clone(),
        Arc::new(SystemClock),
        trust_anchor()?,
    ))
}

/// Verifies and imports the blob in `file`; prints what was stored. A
/// refused blob is reported with the reason and exit code 1, and nothing
/// is stored.
pub async fn import(config: Config, file: &Path) -> anyhow::Result<ExitCode> {
    let blob = tokio::fs::read_to_string(file)
        .await
        .with_context(|| format!("reading {}", file.display()))?;
    let metadata = service(&config).await?;
    match metadata.import(blob, "cli").await {
        Ok(imported) => {
            println!(
                "Imported FIDO metadata blob #{}: {} authenticator models, next update {}.",
                imported.serial,
                imported.entries,
                imported.next_update.format("%Y-%m-%d")
            );
            if imported.past_next_update {
                println!("Warning: this blob is past its nextUpdate; download a current one soon.");
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(AccountsError::Metadata(refused)) => {
            tracing::warn!(reason = refused.code(), file = %file.display(), "metadata blob refused");
            eprintln!("latchkey: {refused} Nothing was imported.");
            Ok(ExitCode::FAILURE)
        }
        Err(e) => Err(e).context("importing the metadata blob"),
    }
}

/// Prints the imported blob's serial, model count and nextUpdate, with a
/// warning once nextUpdate has passed.
pub async fn status(config: Config) -> anyhow::Result<ExitCode> {
    let metadata = service(&config).await?;
    let status = metadata
        .status()
        .await
        .context("reading the metadata status")?;
    match &status.blob {
        None => println!(
            "No FIDO metadata blob imported; model names come from the built-in table. \
             Import one with `latchkey metadata import FILE`."
        ),
        Some(blob) => {
            println!("serial:      {}", blob.serial);
            println!("entries:     {}", blob.entries);
            println!("next update: {}", blob.next_update.format("%Y-%m-%d"));
            println!(
                "imported at: {} UTC",
                blob.imported_at.format("%Y-%m-%d %H:%M:%S")
            );
            println!("sha256:      {}", blob.sha256);
            if status.past_next_update {
                println!(
                    "Warning: the blob is past its nextUpdate; download and import a current one."
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
