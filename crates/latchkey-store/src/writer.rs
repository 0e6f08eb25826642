//! One SQLite writer at a time in this process, queued in the process
//! rather than in SQLite.
//!
//! SQLite has one write lock per database. A writer that finds it taken
//! waits in SQLite's busy handler, which polls with sleeps of 1, 2, 5, 10 …
//! milliseconds: under concurrent sign-ins the cores sat idle while writers
//! slept, and a write of a few dozen microseconds waited milliseconds. Here
//! writers of this process queue on a condition variable and the next one
//! starts the moment the previous one is done; SQLite's busy handler is left
//! for writers in other processes (the CLI, a second node on the same file).
//!
//! The gate is an optimisation, never a correctness requirement: SQLite's
//! lock still guards every write, a writer that cannot get the gate within
//! [`PATIENCE`] goes ahead and lets SQLite do the waiting, and a thread that
//! already holds the gate passes straight through (a write on a second
//! connection inside a transaction would otherwise wait for itself).

use std::cell::Cell;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a writer waits for the gate before leaving the waiting to
/// SQLite (whose own `busy_timeout` is 5 s).
pub const PATIENCE: Duration = Duration::from_secs(5);

struct Gate {
    held: Mutex<bool>,
    freed: Condvar,
}

/// One gate for the process: SQLite databases in one process are few (one
/// in a server; a test process has many, whose writes then take turns).
static GATE: Gate = Gate {
    held: Mutex::new(false),
    freed: Condvar::new(),
};

thread_local! {
    static HOLDING: Cell<bool> = const { Cell::new(false) };
}

/// The right to write, held until dropped.
#[must_use]
#[derive(Debug)]
pub struct Pass {
    owned: bool,
}

/// Waits for the gate (at most [`PATIENCE`]).
pub fn enter() -> Pass {
    if HOLDING.get() {
        return Pass { owned: false };
    }
    let deadline = Instant::now() + PATIENCE;
    let mut held = GATE.held.lock().unwrap_or_else(PoisonError::into_inner);
    while *held {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Pass { owned: false };
        }
        held = GATE
            .freed
            .wait_timeout(held, left)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
    }
    *held = true;
    HOLDING.set(true);
    Pass { owned: true }
}

impl Drop for Pass {
    fn drop(&mut self) {
        if self.owned {
            HOLDING.set(false);
            *GATE.held.lock().unwrap_or_else(PoisonError::into_inner) = false;
            GATE.freed.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn writers_take_turns_and_a_holder_passes_through() {
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (inside, most) = (inside.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..50 {
                        let _pass = enter();
                        // Re-entering on the same thread must not wait.
                        let _again = enter();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_micros(20));
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(
            most.load(Ordering::SeqCst),
            1,
            "two writers were inside at once"
        );
    }
}
