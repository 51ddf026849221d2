//! Turns on the machine, across every module of this one test binary. The matrix and whole-suite
//! runs (`alone`) each had their binary to themselves and took turns inside it; now that all tests
//! share one process they wait until no other browser run is going and keep the others out while they
//! run. Every other usher run takes a `shared` turn: as many at once as the test threads allow.
//!
//! Shared turns never wait for a waiting `alone` (only for one that runs), so a test that holds a
//! shared turn and takes another cannot deadlock.

use std::sync::{Condvar, Mutex, MutexGuard};

struct State {
    shared: usize,
    alone: bool,
}

static STATE: Mutex<State> = Mutex::new(State {
    shared: 0,
    alone: false,
});
static CHANGED: Condvar = Condvar::new();

/// A turn; the machine is given back when it drops.
#[must_use = "the turn ends when it is dropped"]
pub struct Turn {
    alone: bool,
}

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The machine to this test alone: waits until no other run holds a turn.
pub fn alone() -> Turn {
    let mut s = state();
    while s.alone || s.shared > 0 {
        s = CHANGED.wait(s).unwrap_or_else(|p| p.into_inner());
    }
    s.alone = true;
    Turn { alone: true }
}

/// A turn beside other shared ones: waits only while a run that must be alone runs.
pub fn shared() -> Turn {
    let mut s = state();
    while s.alone {
        s = CHANGED.wait(s).unwrap_or_else(|p| p.into_inner());
    }
    s.shared += 1;
    Turn { alone: false }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut s = state();
        if self.alone {
            s.alone = false;
        } else {
            s.shared -= 1;
        }
        CHANGED.notify_all();
    }
}
