//! usher: finds session-management flaws in web and mobile apps and keeps them from coming back.
//!
//! Layers (see DESIGN.md): `scenario` is the language (no I/O beyond reading files), `engine` runs it
//! through `driver` sessions and `checks`, `report` turns the engine's events into files, and the CLI in
//! `main.rs` stays thin. `demo` is Ticketbooth, the bundled target with one switch per flaw.

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
pub mod checks;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod discover;
pub mod driver;
pub mod duration;
pub mod engine;
pub mod exit;
pub mod logs;
pub mod redact;
pub mod report;
pub mod sampling;
pub mod scenario;
pub mod suite;
