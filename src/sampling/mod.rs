//! Token sampling over plain HTTP, as Burp Sequencer's live capture does it: the login a browser sent
//! once, replayed thousands of times with a cookie jar per sample, each sample's session proven
//! authenticated and then logged out again.
//!
//! This module knows HTTP, cookies and HTML forms, nothing of scenarios or browsers: the
//! `entropy_at_least` check learns the login from a browser and hands over a [`LoginRecipe`].

pub mod exchange;
pub mod form;
mod proof;
mod recipe;
mod sampler;
mod throttle;

pub use proof::SessionProof;
pub use recipe::{LoginRecipe, LogoutRecipe};
pub use sampler::{Plan, Sampled, Stopped, sample};
pub use throttle::Backoff;
