//! The instance's branding: its name, primary colour, support link and
//! logo, stored in `instance_settings` under `runtime.brand.*` so that every
//! node serves the same. As with the other run-time settings
//! ([`crate::live_settings`]) the configuration gives a value until an
//! administrator first sets one; from then on the stored value wins. An
//! empty stored value means "none" (a support link or logo removed in the
//! console stays removed even when the configuration names one).
//!
//! Values are checked when they are set ([`latchkey_core::branding`]) and
//! again when they are read: a value written by hand that fails the check
//! is not used (the configured one is).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use latchkey_core::branding::{Colour, LogoType, check_logo, check_name};

use crate::live_settings::CACHE_FOR;
use crate::{Db, DbConnection, StoreError, settings};

/// The audit subject of a branding change.
pub const SUBJECT: &str = "runtime.brand";
pub const NAME: &str = "runtime.brand.name";
pub const COLOUR: &str = "runtime.brand.colour";
pub const SUPPORT_URL: &str = "runtime.brand.support_url";
/// `<mime type>;base64,<bytes>`.
pub const LOGO: &str = "runtime.brand.logo";

/// The name used when neither the configuration nor the console names one.
pub const DEFAULT_NAME: &str = "Latchkey";

/// A logo as served: its type, bytes and a strong validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    pub kind: LogoType,
    pub bytes: Arc<[u8]>,
    /// A hash of the bytes, for `ETag` and for cache-busting URLs.
    pub etag: String,
}

impl Logo {
    /// A logo from bytes already checked with [`check_logo`].
    pub fn new(kind: LogoType, bytes: Vec<u8>) -> Self {
        let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
        let etag = digest.as_ref()[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            kind,
            bytes: bytes.into(),
            etag,
        }
    }

    /// Checks `bytes` and makes a logo of them.
    pub fn checked(bytes: Vec<u8>) -> Result<Self, latchkey_core::branding::BrandingError> {
        let kind = check_logo(&bytes)?;
        Ok(Self::new(kind, bytes))
    }

    fn encoded(&self) -> String {
        format!(
            "{};base64,{}",
            self.kind.mime(),
            STANDARD.encode(&self.bytes)
        )
    }

    fn decode(value: &str) -> Option<Self> {
        let (mime, data) = value.split_once(";base64,")?;
        let claimed = LogoType::from_mime(mime)?;
        let bytes = STANDARD.decode(data).ok()?;
        let kind = check_logo(&bytes).ok()?;
        (kind == claimed).then(|| Self::new(kind, bytes))
    }
}

/// The branding in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Brand {
    pub name: String,
    /// The primary actions' colour; `None` keeps the built-in palette.
    pub colour: Option<Colour>,
    /// Where people get help (an absolute `https` URL, or `http` on loopback).
    pub support_url: Option<String>,
    pub logo: Option<Logo>,
}

impl Default for Brand {
    fn default() -> Self {
        Self {
            name: DEFAULT_NAME.to_owned(),
            colour: None,
            support_url: None,
            logo: None,
        }
    }
}

/// The branding last read, and when.
type Cached = (Instant, Arc<Brand>);

/// The branding, read through a short cache. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LiveBrand {
    db: Db,
    /// The configured branding (used where nothing is stored).
    defaults: Arc<Brand>,
    cached: Arc<Mutex<Option<Cached>>>,
}

impl LiveBrand {
    pub fn new(db: Db, defaults: Brand) -> Self {
        Self {
            db,
            defaults: Arc::new(defaults),
            cached: Arc::new(Mutex::new(None)),
        }
    }

    /// The branding in force now (through the cache).
    pub async fn current(&self) -> Result<Arc<Brand>, StoreError> {
        if let Some((at, brand)) = &*self.cached.lock().unwrap_or_else(PoisonError::into_inner)
            && at.elapsed() < CACHE_FOR
        {
            return Ok(brand.clone());
        }
        let defaults = self.defaults.clone();
        let brand = Arc::new(self.db.run(move |c| stored(c, &defaults)).await?);
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now(), brand.clone()));
        Ok(brand)
    }

    /// The branding as stored (or configured), in the caller's transaction.
    pub fn current_in(&self, conn: &mut DbConnection) -> Result<Brand, StoreError> {
        stored(conn, &self.defaults)
    }

    /// Drops this node's cached branding.
    pub fn forget(&self) {
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// Stores every value of `brand`, in the caller's transaction (checked by
/// the caller); call [`LiveBrand::forget`] once it committed.
pub fn store_in(
    conn: &mut DbConnection,
    brand: &Brand,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    settings::set(conn, NAME, &brand.name, now)?;
    let colour = brand.colour.map(|c| c.to_string()).unwrap_or_default();
    settings::set(conn, COLOUR, &colour, now)?;
    settings::set(
        conn,
        SUPPORT_URL,
        brand.support_url.as_deref().unwrap_or(""),
        now,
    )?;
    let logo = brand.logo.as_ref().map(Logo::encoded).unwrap_or_default();
    settings::set(conn, LOGO, &logo, now)
}

/// The instance's name in force, in the caller's transaction: the one an
/// administrator set, else `configured`. For text made inside a
/// transaction (notices), which cannot wait on the cache.
pub fn name_in(conn: &mut DbConnection, configured: &str) -> Result<String, StoreError> {
    Ok(settings::get(conn, NAME)?
        .and_then(|v| check_name(&v).ok())
        .unwrap_or_else(|| configured.to_owned()))
}

fn stored(conn: &mut DbConnection, defaults: &Brand) -> Result<Brand, StoreError> {
    // `Some("")` is "set to none", `None` is "never set".
    let name = name_in(conn, &defaults.name)?;
    let colour = match settings::get(conn, COLOUR)?.as_deref() {
        Some("") => None,
        Some(v) => Colour::parse_primary(v).ok().or(defaults.colour),
        None => defaults.colour,
    };
    let support_url = match settings::get(conn, SUPPORT_URL)? {
        Some(v) if v.is_empty() => None,
        Some(v) => Some(v),
        None => defaults.support_url.clone(),
    };
    let logo = match settings::get(conn, LOGO)?.as_deref() {
        Some("") => None,
        Some(v) => Logo::decode(v).or_else(|| defaults.logo.clone()),
        None => defaults.logo.clone(),
    };
    Ok(Brand {
        name,
        colour,
        support_url,
        logo,
    })
}
