//! Runs scenarios: scheduling, personas, steps, timeouts, artifacts. It fills in the records
//! (`crate::record`) reports are made from, and tells its listener (the console) how the run goes
//! through events.

mod accounts;
mod app_file;
mod artifacts;
mod back_to;
pub mod browse;
mod browser_step;
pub mod check_profile;
pub mod checks;
pub mod context;
mod dispatch;
pub mod events;
mod expand;
mod flow;
mod form_probe;
pub mod http_client;
mod keep_alive;
pub mod login_http;
mod login_recipe;
mod marks;
mod observe;
mod oracle;
mod parallel;
mod personas;
pub mod pipeline;
mod replay_http;
mod run;
mod set_cookie;
pub mod step_error;
pub mod token;
pub mod token_discovery;
mod token_io;
mod url_join;
mod urls;
mod variants;

pub use context::{RunCtx, Sink};
pub use events::Event;
