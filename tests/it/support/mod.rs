//! Helpers the test modules share, one module per concern.

pub mod appium;
pub mod demo;
pub mod loopback;
pub mod processes;
pub mod report;
pub mod switches;
pub mod ticketbooth;
pub mod tokens;
pub mod tools;
pub mod turns;
pub mod usher;
