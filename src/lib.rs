//! usher: finds session-management flaws in web and mobile apps and keeps them from coming back.
//!
//! Layers (see DESIGN.md): `scenario` is the language (no I/O beyond reading files), `engine` runs it
//! through `driver` sessions and `checks`, `report` turns the engine's events into files, and the CLI in
//! `main.rs` stays thin. `demo` is Ticketbooth, the bundled target with one switch per flaw.

pub mod analysis;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod demo;
pub mod driver;
pub mod duration;
pub mod engine;
pub mod exit;
pub mod redact;
pub mod report;
pub mod scenario;
pub mod suite;
