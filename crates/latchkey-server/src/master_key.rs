//! Loading (or, on first start, creating) the master key.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use latchkey_store::seal::MasterKey;

use crate::config::{Config, MasterKeySource};

pub const FILE_NAME: &str = "master.key";

/// The key and whether this call created it.
#[derive(Debug)]
pub struct Loaded {
    pub key: MasterKey,
    pub created: bool,
    pub origin: String,
}

fn read_file(path: &Path) -> anyhow::Result<MasterKey> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the master key file {}", path.display()))?;
    MasterKey::from_hex(&text).with_context(|| {
        format!(
            "the master key file {} must hold 64 hexadecimal characters",
            path.display()
        )
    })
}

/// Reads the configured master key. With `create`, a missing key file in the
/// data directory is generated (mode 0600); otherwise it is an error, so that
/// commands such as `audit verify` never invent a key.
pub fn load(config: &Config, create: bool) -> anyhow::Result<Loaded> {
    match &config.master_key {
        MasterKeySource::Value(hex) => Ok(Loaded {
            key: MasterKey::from_hex(hex.expose())
                .context("LATCHKEY_MASTER_KEY must be 64 hexadecimal characters")?,
            created: false,
            origin: "LATCHKEY_MASTER_KEY".into(),
        }),
        MasterKeySource::File(path) => Ok(Loaded {
            key: read_file(path)?,
            created: false,
            origin: path.display().to_string(),
        }),
        MasterKeySource::DataDir => {
            let path: PathBuf = config.data_dir.join(FILE_NAME);
            if path.exists() {
                return Ok(Loaded {
                    key: read_file(&path)?,
                    created: false,
                    origin: path.display().to_string(),
                });
            }
            if !create {
                bail!(
                    "no master key: {} does not exist (set LATCHKEY_MASTER_KEY or LATCHKEY_MASTER_KEY_FILE)",
                    path.display()
                );
            }
            let key = MasterKey::generate()?;
            write_new(&path, key.to_hex().expose())?;
            Ok(Loaded {
                key,
                created: true,
                origin: path.display().to_string(),
            })
        }
    }
}

/// Creates the file only if it does not exist, readable by the owner only.
fn write_new(path: &Path, contents: &str) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("creating the master key file {}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    Ok(())
}
