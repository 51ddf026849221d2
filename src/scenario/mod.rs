//! The scenario language: profiles and scenario files, their loading, variables, validation and schema.
//! No I/O beyond reading files; nothing here knows about drivers.

pub mod api;
pub mod convert;
mod diagnostic;
pub mod load;
pub mod locator;
mod mobile;
pub mod node;
pub mod persona;
pub mod policy;
pub mod preconditions;
pub mod profile;
mod project;
mod requirement;
pub mod scenario_file;
pub mod schema;
pub mod shard;
pub mod step;
pub mod suggest;
mod validate;
pub mod vars;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use load::load;
pub use policy::Policy;
pub use profile::{Profile, TokenLocation};
pub use project::{Inputs, Project, Suite};
pub use scenario_file::Scenario;
pub use step::{Action, Check, Origin, Step};
