//! Helpers the test modules share, one module per concern.

pub mod loopback;
pub mod report;
pub mod ticketbooth;
