//! Time for domain logic. Nothing outside [`SystemClock`] reads the wall clock
//! (enforced by `clippy.toml`), so tests can jump 24 hours with a [`TestClock`].

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The clock shared by every component of one running instance.
pub type SharedClock = Arc<dyn Clock>;

/// The real wall clock, truncated to microseconds so that values survive a
/// round trip through PostgreSQL unchanged.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "the one place that reads the wall clock"
    )]
    fn now(&self) -> DateTime<Utc> {
        Utc::now().trunc_subsecs(6)
    }
}

/// A clock that stands still until told to move. Cloning shares the time.
#[derive(Debug, Clone)]
pub struct TestClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl TestClock {
    pub fn at(now: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(Mutex::new(now.trunc_subsecs(6))),
        }
    }

    /// A fixed, recognisable instant: 2030-01-01T00:00:00Z.
    pub fn fixed() -> Self {
        Self::at(DateTime::from_timestamp(1_893_456_000, 0).unwrap_or_default())
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = now.trunc_subsecs(6);
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_clock_moves_only_when_advanced() {
        let clock = TestClock::fixed();
        let start = clock.now();
        assert_eq!(clock.now(), start);
        clock.advance(Duration::hours(24));
        assert_eq!(clock.now() - start, Duration::hours(24));
        let shared = clock.clone();
        shared.advance(Duration::seconds(1));
        assert_eq!(
            clock.now() - start,
            Duration::hours(24) + Duration::seconds(1)
        );
    }

    #[test]
    fn system_clock_has_microsecond_precision() {
        let now = SystemClock.now();
        assert_eq!(now.timestamp_subsec_nanos() % 1000, 0);
    }
}
