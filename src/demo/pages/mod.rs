//! Request handlers of the ticketing site, one file per area.

pub mod account;
pub mod auth;
pub mod checkout;
pub mod home;
pub mod late;
pub mod password;
