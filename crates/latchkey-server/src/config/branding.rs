//! The instance's branding as configured: `instance_name`, and the
//! `[branding]` table of the file or `LATCHKEY_BRANDING_*`. It is the default: an administrator's
//! change in the console (stored in the database) wins from then on. Each
//! value gets the same check as in the console, and a bad one stops
//! start-up with its key and the reason.

use std::collections::BTreeMap;

use latchkey_core::branding::Colour;
use latchkey_store::branding::{Brand, Logo};
use serde::Deserialize;

use super::{ConfigError, invalid};

/// The `[branding]` table of the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BrandingFile {
    colour: Option<String>,
    logo_file: Option<String>,
    support_url: Option<String>,
}

/// The configured branding; `name` is the instance's name (`instance_name`).
pub(super) fn resolve(
    env: &BTreeMap<String, String>,
    file: Option<BrandingFile>,
    name: String,
) -> Result<Brand, ConfigError> {
    let file = file.unwrap_or_default();
    let pick = |env_key, file_key, file_value| super::pick_set(env, env_key, file_key, file_value);
    let colour = match pick("LATCHKEY_BRANDING_COLOUR", "branding.colour", file.colour) {
        Some((key, v)) => Some(Colour::parse_primary(&v).map_err(|e| invalid(key, e.to_string()))?),
        None => None,
    };
    let support_url = match pick(
        "LATCHKEY_BRANDING_SUPPORT_URL",
        "branding.support_url",
        file.support_url,
    ) {
        Some((key, v)) => Some(
            latchkey_accounts::branding::check_support_url(&v)
                .map_err(|e| invalid(key, e.to_string()))?,
        ),
        None => None,
    };
    let logo = match pick(
        "LATCHKEY_BRANDING_LOGO_FILE",
        "branding.logo_file",
        file.logo_file,
    ) {
        Some((key, path)) => {
            let bytes = std::fs::read(&path)
                .map_err(|e| invalid(key, format!("cannot read {path:?}: {e}")))?;
            Some(Logo::checked(bytes).map_err(|e| invalid(key, e.to_string()))?)
        }
        None => None,
    };
    Ok(Brand {
        name,
        colour,
        support_url,
        logo,
    })
}
