//! What each subcommand does, between the thin `main` and the library layers.

pub mod check_profile;
pub mod demo;
pub mod execute;
pub mod inputs;
pub mod run;
pub mod schema;
pub mod validate;
