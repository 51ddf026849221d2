//! usher: finds session-management flaws in web and mobile apps and keeps them from coming back.
//!
//! Layers (docs/ARCHITECTURE.md; tests/it/architecture.rs checks them): `scenario` is the language (no
//! I/O beyond reading files), `engine` runs it through `driver` sessions and its checks and leaves
//! `record`s, `report` turns the finished records into files, and `commands` (behind a thin `main.rs`)
//! only parse, call and print. `demo` is Ticketbooth, the bundled target with one switch per flaw.

/// `println!` that ignores a closed stdout (`usher run | head`): the run goes on, the reports are still
/// written, and nothing panics.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `print!` that ignores a closed stdout, see [`outln!`].
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

pub mod analysis;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod discover;
pub mod driver;
pub mod duration;
pub mod engine;
pub mod exit;
pub mod jwt;
pub mod logs;
pub mod record;
pub mod redact;
pub mod report;
pub mod sampling;
pub mod scenario;
pub mod suite;
