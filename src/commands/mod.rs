//! What each subcommand does, between the thin `main` and the library layers.

pub mod analyze;
pub mod check_profile;
pub mod demo;
pub mod demo_logs;
pub mod demo_matrix;
pub mod demo_matrix_jwt;
pub mod diff;
pub mod discover;
pub mod doctor;
pub mod error;
pub mod execute;
pub mod generate;
pub mod inputs;
pub mod logs;
pub mod max_wait;
pub mod run;
pub mod schema;
pub mod validate;
