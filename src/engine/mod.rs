//! Runs scenarios: scheduling, personas, steps, timeouts, artifacts. It fills in the records
//! (`crate::record`) reports are made from, and tells its listener (the console) how the run goes
//! through events.

pub mod accounts;
pub mod app_file;
mod artifacts;
pub mod back_to;
pub mod browse;
pub mod browser_step;
pub mod check_profile;
pub mod checks;
pub mod context;
mod dispatch;
pub mod events;
mod expand;
pub mod flow;
pub mod form_probe;
pub mod http_client;
mod keep_alive;
pub mod login_http;
pub mod login_recipe;
mod marks;
mod observe;
pub mod oracle;
mod parallel;
mod personas;
pub mod pipeline;
mod replay_http;
pub mod run;
pub mod set_cookie;
pub mod step_error;
pub mod token;
pub mod token_discovery;
mod token_io;
pub mod url_join;
mod urls;
pub mod variants;

pub use context::{RunCtx, Sink};
pub use events::Event;
